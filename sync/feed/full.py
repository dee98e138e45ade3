"""A full sync: every kind in `KINDS` order, page by page."""

from __future__ import annotations

from changelog.log import KIND_ASSIGNMENT
from sync.feed.entries import KINDS, Page, _assignments, _fetch, _visible
from sync.feed.tokens import make_token
from units.selectors import Scope


def _full_page(*, user, scope: Scope, payload: dict, page_size: int) -> Page:
    page = Page()
    kind_index, after = payload["k"], payload["a"]
    room = page_size
    while kind_index < len(KINDS) and room > 0:
        kind = KINDS[kind_index]
        if kind == KIND_ASSIGNMENT:
            entries = _assignments(scope, after=after, limit=room + 1)
        else:
            entries = _fetch(
                kind,
                _visible(kind, user).filter(pk__gt=after).order_by("pk")[: room + 1],
                scope,
            )
        taken = entries[:room]
        page.changes += taken
        room -= len(taken)
        if len(entries) > len(taken):
            after = taken[-1]["id"]
            break
        kind_index, after = kind_index + 1, 0
    if kind_index < len(KINDS):
        page.has_more = True
        page.next_token = make_token(
            {
                "m": "full",
                "k": kind_index,
                "a": after,
                "w": payload["w"],
                "u": payload["u"],
                "uid": user.pk,
            }
        )
    else:
        page.next_token = make_token(
            {
                "m": "delta",
                "lo": payload["w"],
                "hi": None,
                "after": None,
                # The scope when the full sync began: a unit lost while it ran
                # is then tombstoned by the first delta.
                "u": payload["u"],
                "uid": user.pk,
            }
        )
    return page
