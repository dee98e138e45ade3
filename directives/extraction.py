"""Find the numbered directives in the body of a Vietnamese document.

`extract_items` returns one `ExtractedItem` per numbered item, in printed
order. The rules, and the reasons for them:

Markers
    Line-start markers count only at the start of a line (after optional
    whitespace): ``1.`` ``1)`` (at most three digits), ``1.1.``/``1.1``
    (dotted), ``a)`` ``a.`` (one lowercase letter, ``đ`` included because
    Vietnamese lists run a, b, c, d, đ, e) and upper-case roman ``I.``
    ``II.``. Mid-line, ``7.479 việc``, ``22/4/2022`` or ``khoản 2)`` are
    therefore plain text.

    Parenthesised markers ``(1)`` ``(a)`` ``(ii)`` count anywhere, as in "Cụ
    thể, yêu cầu các đơn vị: (1)Xác minh ...; (2) Nâng cao ...". Because they
    also occur as footnote calls and cross-references, a mid-line one must:
    not touch the preceding word ("BCSĐ(1)" is a footnote), be followed by
    text rather than punctuation ("các mục (1), (2)" is a reference), and be
    part of a plausible run: the run starts at 1/a/i, each later marker is
    preceded by punctuation (";", ":", "." ...) and is at most three steps
    after the previous one (repeats allowed), and a lone mid-line marker is
    not a list. At the start of a line any parenthesised marker counts.

Labels and positions
    Labels are kept exactly as printed, without the brackets or the trailing
    dot: a repeated "2", a skipped "3", "a", "II". Nothing is renumbered;
    `position` is 1..N in printed order.

Hierarchy
    When a text has several kinds of line-start markers, the items are the
    coarsest kind other than roman numerals (arabic before dotted before
    letters). Roman numerals are then section headings: they end the item
    before them and are not items themselves; a text numbered only with roman
    numerals gets them as items. Finer markers inside an item (``a)``, ``b)``
    under ``1.``; ``1.1.`` under ``1.``; ``(1)`` inside a numbered line) stay
    in the parent's body, because a sub-list elaborates one directive rather
    than issuing new ones. Text outside every item (an introduction, a
    section heading's paragraph) is searched again on its own, so a lettered
    list or an inline ``(1)...(n)`` list there still yields items.

Where an item ends
    An item ends at the next marker. A marker that starts a line continues
    over the following lines until the next marker or a blank line (a blank
    line followed by a sub-item, such as ``a)`` after ``1.``, does not end
    it). A mid-line marker's item ends at the end of its paragraph (line), so
    the signature line under the seed's conclusion is not part of item 7; so
    does the last item of a line that holds several parenthesised markers,
    even when the line starts with one ("(1) ...; (2) ...; (3) ..."). If a
    text has several inline runs that restart at (1), every run is returned
    in printed order; the caller decides which to keep.

Body, title and category
    The text is NFC-normalised first (so NFD input gives the same result) and
    byte-order marks and zero-width spaces are dropped. `body` is the text
    after the marker, stripped, with a trailing ";" or "," (the list
    separator, not part of the directive) removed; lines of a multi-line item
    are joined with "\\n". `title` is the first clause of the body's first
    line (up to the first ``;`` ``.`` ``,`` ``:`` that follows at least four
    words, else the whole line), at most 120 characters, cut at a word
    boundary with "…", first letter upper-cased. `category` is
    `suggest_category(body)`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from thads.text import fold

from .category_data import DEFAULT_CATEGORY_KEYWORDS

__all__ = ["ExtractedItem", "extract_items", "make_title", "suggest_category"]

TITLE_MAX_LENGTH = 120
_TITLE_MIN_WORDS = 4
# A marker may advance the run by up to this many steps, so that a skipped
# label (1, 2, 4) or the Vietnamese letter gaps (e → g, i → k) stay in the run.
_MAX_STEP = 3


@dataclass(frozen=True)
class ExtractedItem:
    label: str
    position: int
    title: str
    body: str
    category: str


# Line-start marker families, coarse to fine. PAREN lines are never item
# boundaries of the line-start kind (they are handled by the inline rules); they
# are recognised here only so that they count as sub-items of a numbered line.
_ROMAN, _ARABIC, _DOTTED, _LETTER, _PAREN = range(5)

# "1.Xác" (no space) is accepted, "1.500 việc" is not: a letter or whitespace
# must follow, never a digit.
_AFTER = r"(?=\s|[^\W\d_]|$)"
_LINE_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (_DOTTED, re.compile(r"\s*(\d{1,2}(?:\.\d{1,2}){1,3})(?:[.)]" + _AFTER + r"|(?=\s))")),
    (_ARABIC, re.compile(r"\s*(\d{1,3})[.)]" + _AFTER)),
    (_ROMAN, re.compile(r"\s*([IVX]{1,7})\.(?=\s|$)")),
    (_LETTER, re.compile(r"\s*([a-zđ])(?:\)" + _AFTER + r"|\.(?=\s|$))")),
    (_PAREN, re.compile(r"\s*\((?:\d{1,3}|[a-zđ]|[ivx]{2,7})\)")),
)
_ROMAN_UPPER = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
_ROMAN_LOWER = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})")

_PAREN_MARKER = re.compile(r"\((\d{1,3}|[a-zđ]|[ivx]{2,7})\)")
# The Vietnamese alphabet has no f, j, w, z, yet hand-typed lists sometimes use
# them; the full Latin order with đ after d plus the step tolerance covers both.
_LETTERS = "abcdđefghijklmnopqrstuvwxyz"
_RUN_PUNCTUATION = frozenset(":;.,!?…-–—")
_NOT_ITEM_START = frozenset(",;:.)]}")

_INVISIBLE = str.maketrans({"\ufeff": None, "\u200b": None})


@dataclass(frozen=True)
class _LineMarker:
    family: int
    label: str
    end: int


@dataclass
class _Candidate:
    line: int
    start: int
    end: int
    label: str
    readings: tuple[tuple[str, int], ...]  # (kind, ordinal) it could stand for
    at_line_start: bool
    after_punctuation: bool


def extract_items(
    body: str, *, categories: Mapping[str, Sequence[str]] | None = None
) -> list[ExtractedItem]:
    """The numbered items of `body` in printed order (see the module docstring)."""
    text = unicodedata.normalize("NFC", body).translate(_INVISIBLE)
    lines = text.splitlines()
    raw = _extract_region(lines, 0, len(lines))
    return [
        ExtractedItem(
            label=label,
            position=position,
            title=make_title(item_body),
            body=item_body,
            category=suggest_category(item_body, categories),
        )
        for position, (label, item_body) in enumerate(raw, start=1)
    ]


def _line_marker(line: str) -> _LineMarker | None:
    for family, pattern in _LINE_PATTERNS:
        match = pattern.match(line)
        if match is None:
            continue
        label = match.group(1) if family != _PAREN else ""
        if family == _ROMAN and not (label and _ROMAN_UPPER.fullmatch(label)):
            continue
        return _LineMarker(family, label, match.end())
    return None


def _extract_region(lines: list[str], lo: int, hi: int) -> list[tuple[str, str]]:
    markers = {i: m for i in range(lo, hi) if (m := _line_marker(lines[i])) is not None}
    structural = {m.family for m in markers.values()} - {_PAREN}
    if not structural:
        return _inline_items(lines, lo, hi)
    finer_than_roman = structural - {_ROMAN}
    item_family = min(finer_than_roman) if finer_than_roman else _ROMAN

    items: list[tuple[str, str]] = []
    free_start = lo
    i = lo
    while i < hi:
        marker = markers.get(i)
        if marker is None or marker.family > item_family:
            i += 1
            continue
        # Each recursion sees only finer families than this one, so it ends.
        if free_start < i:
            items.extend(_extract_region(lines, free_start, i))
        if marker.family < item_family:
            i += 1
            free_start = i
            continue
        parts = [lines[i][marker.end :].strip()]
        j = i + 1
        while j < hi:
            if lines[j].strip():
                following = markers.get(j)
                if following is not None and following.family <= item_family:
                    break
                parts.append(lines[j].strip())
                j += 1
                continue
            k = j
            while k < hi and not lines[k].strip():
                k += 1
            following = markers.get(k)
            if following is None or following.family <= item_family:
                break
            j = k
        items.append((marker.label, _clean_body("\n".join(parts))))
        i = free_start = j
    if free_start < hi:
        items.extend(_extract_region(lines, free_start, hi))
    return items


def _readings(label: str) -> tuple[tuple[str, int], ...]:
    if label.isdigit():
        return (("number", int(label)),)
    readings: list[tuple[str, int]] = []
    if len(label) == 1:
        readings.append(("letter", _LETTERS.index(label) + 1))
    if _ROMAN_LOWER.fullmatch(label):
        readings.append(("roman", _roman_value(label)))
    return tuple(readings)


def _roman_value(numeral: str) -> int:
    values = {"i": 1, "v": 5, "x": 10}
    total = 0
    for index, char in enumerate(numeral):
        value = values[char]
        following = values[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def _candidates(lines: list[str], lo: int, hi: int) -> list[_Candidate]:
    found: list[_Candidate] = []
    for line_no in range(lo, hi):
        line = lines[line_no]
        for match in _PAREN_MARKER.finditer(line):
            start, end = match.span()
            before = line[:start]
            if before and before[-1].isalnum():
                continue
            rest = line[end:].lstrip()
            if not rest or rest[0] in _NOT_ITEM_START:
                continue
            readings = _readings(match.group(1))
            if not readings:
                continue
            previous = before.rstrip()
            found.append(
                _Candidate(
                    line=line_no,
                    start=start,
                    end=end,
                    label=match.group(1),
                    readings=readings,
                    at_line_start=not previous,
                    after_punctuation=bool(previous) and previous[-1] in _RUN_PUNCTUATION,
                )
            )
    return found


def _accepted_markers(candidates: list[_Candidate]) -> list[_Candidate]:
    accepted: list[_Candidate] = []
    run: list[_Candidate] = []
    kind = ""
    last = 0

    def close() -> None:
        if len(run) > 1 or (run and run[0].at_line_start):
            accepted.extend(run)

    for candidate in candidates:
        if run and (candidate.after_punctuation or candidate.at_line_start):
            step = next(
                (v for k, v in candidate.readings if k == kind and last <= v <= last + _MAX_STEP),
                None,
            )
            if step is not None:
                run.append(candidate)
                last = step
                continue
        first = next((r for r in candidate.readings if r[1] == 1), None)
        if first is None and candidate.at_line_start:
            first = candidate.readings[0]
        if first is None:
            # A stray reference such as "khoản (3)": left in the text.
            continue
        close()
        run = [candidate]
        kind, last = first
    close()
    return accepted


def _inline_items(lines: list[str], lo: int, hi: int) -> list[tuple[str, str]]:
    markers = _accepted_markers(_candidates(lines, lo, hi))
    per_line: dict[int, int] = {}
    for marker in markers:
        per_line[marker.line] = per_line.get(marker.line, 0) + 1
    items: list[tuple[str, str]] = []
    for index, marker in enumerate(markers):
        line = lines[marker.line]
        following = markers[index + 1] if index + 1 < len(markers) else None
        if following is not None and following.line == marker.line:
            items.append((marker.label, _clean_body(line[marker.end : following.start])))
            continue
        parts = [line[marker.end :].strip()]
        # One marker opening a line is a one-item-per-line list whose lines may
        # wrap; a line holding several is a paragraph, and what follows it (in
        # the seed, the signature) is not part of its last item.
        if marker.at_line_start and per_line[marker.line] == 1:
            stop = following.line if following is not None else hi
            for line_no in range(marker.line + 1, stop):
                if not lines[line_no].strip():
                    break
                parts.append(lines[line_no].strip())
        items.append((marker.label, _clean_body("\n".join(parts))))
    return items


def _clean_body(text: str) -> str:
    return text.strip().rstrip(";,").rstrip()


_CLAUSE_END = re.compile(r"[;.,:!?](?=\s|$)")
_TRAILING_PUNCTUATION = " \t;,.:!?-–—"


def make_title(body: str) -> str:
    """A short title for an item: its first clause, at most 120 characters."""
    first_line = body.strip().split("\n", 1)[0].strip()
    title = first_line
    for match in _CLAUSE_END.finditer(first_line):
        clause = first_line[: match.start()]
        if len(clause.split()) >= _TITLE_MIN_WORDS:
            title = clause
            break
    title = title.strip().rstrip(_TRAILING_PUNCTUATION)
    if len(title) > TITLE_MAX_LENGTH:
        room = TITLE_MAX_LENGTH - 1  # for the ellipsis
        cut = title[:room]
        if not title[room].isspace():
            boundary = max(cut.rfind(" "), cut.rfind("\t"))
            if boundary > 0:
                cut = cut[:boundary]
        title = cut.rstrip(_TRAILING_PUNCTUATION) + "…"
    for index, char in enumerate(title):
        if char.isalpha():
            return title[:index] + char.upper() + title[index + 1 :]
    return title


@lru_cache(maxsize=32)
def _compiled(
    categories: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[str, re.Pattern[str] | None], ...]:
    compiled = []
    for code, keywords in categories:
        phrases = {fold(keyword) for keyword in keywords} - {""}
        # Longest first, so that "phong trao thi dua" is one match, not two.
        alternatives = [
            r"\s+".join(re.escape(word) for word in phrase.split())
            for phrase in sorted(phrases, key=lambda p: (-len(p), p))
        ]
        pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
            if alternatives
            else None
        )
        compiled.append((code, pattern))
    return tuple(compiled)


def suggest_category(text: str, categories: Mapping[str, Sequence[str]] | None = None) -> str:
    """The category whose keywords occur most often in `text`; "other" if none.

    Matching is accent-insensitive and on word boundaries; ties go to the
    category listed first in `categories` (default `DEFAULT_CATEGORY_KEYWORDS`).
    """
    mapping = DEFAULT_CATEGORY_KEYWORDS if categories is None else categories
    key = tuple(
        (code, (keywords,) if isinstance(keywords, str) else tuple(keywords))
        for code, keywords in mapping.items()
    )
    folded = fold(text)
    best_code, best_score = "other", 0
    for code, pattern in _compiled(key):
        if pattern is None:
            continue
        score = sum(1 for _ in pattern.finditer(folded))
        if score > best_score:
            best_code, best_score = code, score
    return best_code
