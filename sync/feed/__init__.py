"""The delta-sync feed: what changed since a token, as the caller may see it now.

This module sits on top of the other apps (it reads through their selectors and
serializers); the change log it reads (`changelog`) is a leaf that everyone writes to.

Tokens are signed, carry the caller's id, a watermark and the units the caller
could see when the token was made. A delta page serves change-log rows whose
position lies in [lo, hi): on PostgreSQL the position is the writing
transaction's id and `hi` is the oldest transaction still running in this
database when the pass began, so a transaction that commits after a younger one
is never skipped — its rows are served by a later pass. On SQLite writers are
serialised, and the row id already follows commit order.

Tombstones name what was deleted or left the caller's scope: an assignment
moved to another unit, or every object of a unit whose membership ended.

The package: `tokens`, `watermark`, `entries` (what each kind serves), `full`
and `delta` (the two kinds of page); `sync_page` is here.
"""

from __future__ import annotations

from django.conf import settings

from sync.feed.delta import _delta_page
from sync.feed.entries import KINDS, Page
from sync.feed.full import _full_page
from sync.feed.tokens import (
    SYNC_TOKEN_EXPIRED,
    SYNC_TOKEN_INVALID,
    TOKEN_SALT,
    _units_of,
    make_token,
    read_token,
)
from sync.feed.watermark import current_watermark
from units.selectors import user_scope

__all__ = [
    "KINDS",
    "SYNC_TOKEN_EXPIRED",
    "SYNC_TOKEN_INVALID",
    "TOKEN_SALT",
    "Page",
    "current_watermark",
    "make_token",
    "read_token",
    "sync_page",
]


def sync_page(*, user, token: str | None, page_size: int | None = None) -> Page:
    """One page of the feed: a full sync without a token, else the changes since it."""
    page_size = min(page_size or settings.SYNC_PAGE_SIZE, settings.SYNC_PAGE_SIZE)
    scope = user_scope(user=user)
    if token is None:
        payload = {"m": "full", "k": 0, "a": 0, "w": current_watermark(), "u": _units_of(scope)}
    else:
        payload = read_token(token, user=user)
    if payload["m"] == "full":
        return _full_page(user=user, scope=scope, payload=payload, page_size=page_size)
    return _delta_page(user=user, scope=scope, payload=payload, page_size=page_size)
