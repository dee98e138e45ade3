"""Imports run one way between the project's apps (issue 12).

    thads <- changelog <- units <- directives <- notifications <- reminders <- sync

and, beside that chain, `reports` sits above `directives` (it may import directives,
units, changelog and thads) and `enforcement` above `reports` (its statistics reuse the
reports' table and chart writers and the timeliness report); no app imports either of
them. An app may import only the apps below it; `thads` names no app at all, except
in `thads/urls.py` and `thads/settings.py`, which wire everything together.

Every module of every app is parsed with `ast` (never imported): imports inside
functions and `if TYPE_CHECKING:` blocks count too, and so do `apps.get_model("app",
...)` and the lazy relations `ForeignKey("app.Model", ...)`: imports by another name.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHAIN = ["thads", "changelog", "units", "directives", "notifications", "reminders", "sync"]
# Apps beside the chain, each with the app right below it.
BESIDE = {"reports": "directives", "enforcement": "reports"}
APPS = [*CHAIN, *BESIDE]

# The modules allowed to name any app: they wire the apps together.
WIRING = {"thads/urls.py", "thads/settings.py"}

# Imports against the direction that cannot be avoided today, each with why. Empty:
# keep it so, or explain the entry here.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def _allowed(app: str) -> set[str]:
    if app in BESIDE:
        return {app, *_allowed(BESIDE[app])}
    return set(CHAIN[: CHAIN.index(app) + 1])


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield app, path.relative_to(ROOT).as_posix(), path


RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _first_string(node: ast.Call, keyword: str) -> str | None:
    values = [*node.args[:1], *(k.value for k in node.keywords if k.arg == keyword)]
    for value in values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    return None


def _named_apps(tree: ast.AST):
    """(line, app) for every app a module names in an import, a get_model or a
    lazy relation."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]
        elif isinstance(node, ast.Call) and _called(node) == "get_model":
            label = _first_string(node, "app_label")
            if label is not None:
                yield node.lineno, label.split(".")[0]
        elif isinstance(node, ast.Call) and _called(node) in RELATIONS:
            target = _first_string(node, "to")
            if target is not None and "." in target:
                yield node.lineno, target.split(".")[0]


def violations() -> list[str]:
    found = []
    for app, name, path in _modules():
        if name in WIRING:
            continue
        allowed = _allowed(app)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=name)
        for line, target in _named_apps(tree):
            if target in APPS and target not in allowed and (name, target) not in EXCEPTIONS:
                found.append(f"{name}:{line} imports {target}")
    return found


def test_every_app_is_in_the_layers():
    on_disk = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert on_disk == set(APPS)


def test_imports_run_one_way():
    assert violations() == []


def test_every_listed_exception_is_still_needed():
    for (name, target), why in EXCEPTIONS.items():
        assert why, name
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        assert target in {app for _, app in _named_apps(tree)}, (name, target)


@pytest.mark.parametrize(
    ("app", "allowed"),
    [
        ("thads", {"thads"}),
        ("changelog", {"thads", "changelog"}),
        ("units", {"thads", "changelog", "units"}),
        ("sync", set(CHAIN)),
        ("reports", {"thads", "changelog", "units", "directives", "reports"}),
        ("enforcement", {"thads", "changelog", "units", "directives", "reports", "enforcement"}),
    ],
)
def test_the_layers_read_as_the_issue_says(app, allowed):
    assert _allowed(app) == allowed


def test_the_check_sees_a_wrong_import():
    tree = ast.parse(
        "from directives.models import Directive\n"
        "def f():\n"
        "    import sync.feed\n"
        "    return apps.get_model('reminders', 'Reminder')\n"
        "class A(models.Model):\n"
        "    b = models.ForeignKey('notifications.Notification', on_delete=CASCADE)\n"
        "    c = models.OneToOneField(to='enforcement.Report', on_delete=CASCADE)\n"
        "    d = models.ForeignKey('self', on_delete=CASCADE)\n"
    )
    assert sorted(app for _, app in _named_apps(tree)) == [
        "directives",
        "enforcement",
        "notifications",
        "reminders",
        "sync",
    ]
