"""The English catalogue: complete, compiled, and covering every message in the code.

Vietnamese is the source language (the msgids); `locale/en/LC_MESSAGES/django.po`
translates them and the compiled `django.mo` is committed next to it, so these
tests fail when a message has no English, when a .po edit was not recompiled, or
when the translation machinery stops answering in the caller's language.
See docs/translations.md for the update procedure.
"""

import ast
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import UserFactory

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

UPDATE_HINT = "see docs/translations.md (makemessages, translate, msgfmt)"

# Where a msgid sits in the call's positional arguments, per gettext function.
GETTEXT_FUNCS: dict[str, tuple[int, int | None, int | None]] = {
    # name: (msgid index, msgid_plural index, msgctxt index)
    "gettext": (0, None, None),
    "gettext_lazy": (0, None, None),
    "gettext_noop": (0, None, None),
    "ngettext": (0, 1, None),
    "ngettext_lazy": (0, 1, None),
    "pgettext": (1, None, 0),
    "pgettext_lazy": (1, None, 0),
    "npgettext": (1, 2, 0),
    "npgettext_lazy": (1, 2, 0),
}
TRANSLATION_MODULE = "django.utils.translation"
SKIPPED_DIRS = {"migrations", "__pycache__"}


@dataclass(frozen=True)
class Message:
    msgid: str
    msgid_plural: str | None
    msgctxt: str | None
    where: str  # path:line
    in_fstring: bool


# --- the catalogue ---------------------------------------------------------------------


def _entry_key(entry) -> tuple[str | None, str, str | None]:
    return (entry.msgctxt or None, entry.msgid, entry.msgid_plural or None)


def _entry_value(entry) -> str | tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return entry.msgstr


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    assert PO_PATH.exists(), f"{PO_PATH} is missing; {UPDATE_HINT}"
    return polib.pofile(str(PO_PATH))


def _live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def test_compiled_mo_matches_the_po(po):
    """msgfmt leaves out the header, fuzzy and untranslated entries; everything else
    must be in the .mo with the same text, or the .po was edited without recompiling."""
    assert MO_PATH.exists(), f"{MO_PATH} is missing: compile the .po; {UPDATE_HINT}"
    mo = polib.mofile(str(MO_PATH))
    expected = {
        _entry_key(entry): _entry_value(entry)
        for entry in _live_entries(po)
        if entry.msgid and "fuzzy" not in entry.flags and entry.translated()
    }
    compiled = {_entry_key(entry): _entry_value(entry) for entry in mo if entry.msgid}
    stale = sorted(
        key[1]
        for key in expected.keys() | compiled.keys()
        if expected.get(key) != compiled.get(key)
    )
    assert not stale, (
        f"django.mo does not match django.po for {len(stale)} message(s), recompile "
        f"({UPDATE_HINT}):\n  " + "\n  ".join(stale)
    )


def test_mo_declares_utf8():
    mo = polib.mofile(str(MO_PATH))
    assert "charset=UTF-8" in mo.metadata.get("Content-Type", ""), (
        "the compiled header is missing: is the .po header still marked fuzzy?"
    )


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    assert not po.metadata_is_fuzzy, "the .po header is marked fuzzy; remove the flag"
    assert po.metadata.get("Language") == "en"
    untranslated = [e.msgid for e in _live_entries(po) if not e.translated()]
    fuzzy = [e.msgid for e in _live_entries(po) if "fuzzy" in e.flags]
    assert not untranslated, "untranslated msgids:\n  " + "\n  ".join(untranslated)
    assert not fuzzy, "fuzzy entries (check the translation, then drop the flag):\n  " + (
        "\n  ".join(fuzzy)
    )
    assert _live_entries(po), "the catalogue is empty"


PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdifeEgGxXoc%])")


def _placeholders(text: str) -> Counter:
    return Counter(
        (name, conversion) if name else ("", conversion)
        for name, conversion in PLACEHOLDER.findall(text)
        if conversion != "%"
    )


def test_translations_keep_every_placeholder(po):
    """What `msgfmt --check-format` checks, for machines without GNU gettext."""
    wrong = []
    for entry in _live_entries(po):
        if "python-format" not in entry.flags:
            continue
        for msgstr in _entry_value(entry) if entry.msgid_plural else [entry.msgstr]:
            if _placeholders(msgstr) != _placeholders(entry.msgid):
                wrong.append(f"{entry.msgid!r} -> {msgstr!r}")
    assert not wrong, "placeholders differ:\n  " + "\n  ".join(wrong)


# --- the code's messages ---------------------------------------------------------------


def _app_packages() -> list[Path]:
    """thads, units, directives and any other first-party app (a package with apps.py)."""
    packages = {BASE_DIR / name for name in ("thads", "units", "directives")}
    packages |= {
        apps_py.parent
        for apps_py in BASE_DIR.glob("*/apps.py")
        if (apps_py.parent / "__init__.py").exists()
    }
    return sorted(packages)


def _source_files() -> list[Path]:
    files = []
    for package in _app_packages():
        for path in package.rglob("*.py"):
            if SKIPPED_DIRS.isdisjoint(path.relative_to(package).parts):
                files.append(path)
    return sorted(files)


class _GettextCalls(ast.NodeVisitor):
    """Calls to django.utils.translation's gettext functions (under any alias) whose
    message arguments are string literals; adjacent literals are already joined by
    the parser."""

    def __init__(self, tree: ast.Module, where: str) -> None:
        self.where = where
        self.names: dict[str, str] = {}  # local name -> gettext function
        self.modules: set[str] = set()  # local names bound to django.utils.translation
        self.messages: list[Message] = []
        self._fstring_depth = 0
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == TRANSLATION_MODULE:
                for alias in node.names:
                    if alias.name in GETTEXT_FUNCS:
                        self.names[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module == "django.utils":
                for alias in node.names:
                    if alias.name == "translation":
                        self.modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == TRANSLATION_MODULE:
                        self.modules.add(alias.asname or alias.name)
        self.visit(tree)

    def _function(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Name):
            return self.names.get(func.id)
        if (
            isinstance(func, ast.Attribute)
            and func.attr in GETTEXT_FUNCS
            and ast.unparse(func.value) in self.modules
        ):
            return func.attr
        return None

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._fstring_depth += 1
        self.generic_visit(node)
        self._fstring_depth -= 1

    def visit_Call(self, node: ast.Call) -> None:
        function = self._function(node.func)
        if function is not None:
            msgid_at, plural_at, context_at = GETTEXT_FUNCS[function]

            def literal(index: int | None) -> str | None:
                if index is None or index >= len(node.args):
                    return None
                arg = node.args[index]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    return arg.value
                return None

            msgid = literal(msgid_at)
            if msgid:
                self.messages.append(
                    Message(
                        msgid=msgid,
                        msgid_plural=literal(plural_at),
                        msgctxt=literal(context_at),
                        where=f"{self.where}:{node.lineno}",
                        in_fstring=self._fstring_depth > 0,
                    )
                )
        self.generic_visit(node)


def _code_messages() -> list[Message]:
    messages = []
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        messages += _GettextCalls(tree, str(path.relative_to(BASE_DIR))).messages
    return messages


def test_the_scan_sees_the_apps_and_their_messages():
    """Guards the scanner itself: a silent regex/alias miss would make the next test pass
    vacuously."""
    packages = {path.name for path in _app_packages()}
    assert {"thads", "units", "directives"} <= packages
    messages = _code_messages()
    found = {message.msgid for message in messages}
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in found
    assert "Cục trưởng" in found
    assert not any("/migrations/" in message.where for message in messages)
    # Adjacent literals arrive joined, as xgettext joins them.
    assert any(
        msgid.startswith("Không thể %(action)s khi") and msgid.endswith("%(allowed)s.")
        for msgid in found
    )


def test_every_message_in_the_code_has_an_english_translation(po):
    translated = {
        _entry_key(entry)
        for entry in _live_entries(po)
        if entry.translated() and "fuzzy" not in entry.flags
    }
    missing: dict[tuple, list[Message]] = {}
    for message in _code_messages():
        key = (message.msgctxt, message.msgid, message.msgid_plural)
        if key not in translated:
            missing.setdefault(key, []).append(message)
    lines = []
    for (_context, msgid, _plural), found_at in sorted(missing.items(), key=lambda kv: kv[0][1]):
        places = ", ".join(message.where for message in found_at)
        lines.append(f"{msgid!r}  ({places})")
        if any(message.in_fstring for message in found_at):
            lines.append(
                "    ^ called inside an f-string, where makemessages (xgettext) cannot see "
                "it: build the text outside the f-string, e.g. "
                '"%s %s" % (_("..."), value)'
            )
    assert not missing, (
        f"{len(missing)} message(s) in the code have no English translation "
        f"({UPDATE_HINT}):\n  " + "\n  ".join(lines)
    )


# --- through the API -------------------------------------------------------------------

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def wrong_password(db):
    user = UserFactory(username="translator")
    return {"username": user.username, "password": "not-the-password"}


@pytest.mark.django_db
def test_sign_in_error_is_vietnamese_by_default(wrong_password):
    response = APIClient().post(TOKEN_URL, wrong_password, format="json")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert body["message"] == "Tên đăng nhập hoặc mật khẩu không đúng."


@pytest.mark.django_db
def test_sign_in_error_is_english_with_accept_language_en(wrong_password):
    response = APIClient().post(TOKEN_URL, wrong_password, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert body["message"] == "Incorrect username or password."
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_an_english_request_leaves_the_next_default_request_vietnamese(wrong_password):
    client = APIClient()
    client.post(TOKEN_URL, wrong_password, format="json", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    response = client.post(TOKEN_URL, wrong_password, format="json")
    assert response.json()["message"] == "Tên đăng nhập hoặc mật khẩu không đúng."
