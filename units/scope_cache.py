"""Who a token's user is and what they may see, kept in the cache between requests.

The hot endpoints (the assignment list, the sync feed) would otherwise spend two
database round trips per request on the user behind the token and on their
memberships, as much as the page itself. Both answers are cached (the Django
cache: Redis in production) under the user's id, each entry tagged with two
versions read in the same round trip:

- the user's own version, replaced whenever the user, one of their memberships
  or one of their sign-in sessions is saved (deactivation, a membership created,
  ended or moved, a promotion to leadership, logout, a session revoked);
- the organisation's version, replaced whenever any unit is saved (rename, merge,
  split, transfer, a change of parent), since a head's scope follows the tree.

An entry whose tag differs from the current versions is ignored, so a revocation
takes effect at the next request. Versions are random tokens, not counters: a
version lost from the cache reappears as a new token, which retires every entry
made under the old one.

Ordering makes it safe without locks. A version is replaced when the change is
made and again when its transaction commits; an entry is written only with the
versions read *before* the database read behind it, and never from inside a
transaction (whose reads may not commit). So a request that read the database
before the commit wrote its entry under a version the commit has replaced.

When the cache is unreachable every call here degrades to "not cached": the
request reads the database as it would without this module.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_ALL = "scope:v:all"
_Tag = tuple[str, str]
_FAILURES = (RedisError, OSError)


def _user_version_key(user_id: int) -> str:
    return f"scope:v:u:{user_id}"


def user_key(user_id: int) -> str:
    return f"auth:user:{user_id}"


def scope_key(user_id: int, day: date) -> str:
    return f"scope:{user_id}:{day.isoformat()}"


def _enabled() -> bool:
    return settings.SCOPE_CACHE_SECONDS > 0


def read(user_id: int, keys: Iterable[str]) -> tuple[_Tag | None, dict[str, Any]]:
    """The current versions for `user_id`, and the values of `keys` still valid under
    them, in one cache round trip. (None, {}) when the cache is off or unreachable."""
    if not _enabled():
        return None, {}
    keys = list(keys)
    version_key = _user_version_key(user_id)
    try:
        found = cache.get_many([version_key, _ALL, *keys])
        if version_key not in found or _ALL not in found:
            # First use, or the versions were evicted: start new ones (which retires
            # anything cached under older ones); whatever was found is not used.
            cache.add(version_key, secrets.token_hex(8), None)
            cache.add(_ALL, secrets.token_hex(8), None)
            found = cache.get_many([version_key, _ALL])
            if version_key not in found or _ALL not in found:
                return None, {}
            return (found[version_key], found[_ALL]), {}
    except _FAILURES:
        logger.warning("scope cache unavailable: reading the database", exc_info=True)
        return None, {}
    tag = (found[version_key], found[_ALL])
    values = {
        key: entry[1]
        for key in keys
        if (entry := found.get(key)) is not None and tuple(entry[0]) == tag
    }
    return tag, values


def _outside_transactions() -> bool:
    """True when nothing read now can be rolled back: no atomic block is open other
    than a test case's own (which stands for the committed state in tests)."""
    return not any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def write(tag: _Tag | None, values: dict[str, Any]) -> None:
    """Cache `values` under the versions `tag` read before the database was."""
    if tag is None or not values or not _outside_transactions():
        return
    try:
        cache.set_many(
            {key: (tag, value) for key, value in values.items()},
            settings.SCOPE_CACHE_SECONDS,
        )
    except _FAILURES:
        logger.warning("scope cache unavailable: not caching", exc_info=True)


def _replace(keys: list[str]) -> None:
    try:
        cache.set_many({key: secrets.token_hex(8) for key in keys}, None)
    except _FAILURES:
        # Entries may outlive the change by up to SCOPE_CACHE_SECONDS if the cache
        # comes back with its data: logged loudly, since revocation depends on it.
        logger.error("scope cache unavailable: could not retire cached scopes", exc_info=True)


def scope_changed(*, user_ids: Iterable[int] | None = None) -> None:
    """Retire what is cached for these users (every user when None), now and again
    when the current transaction commits."""
    if not _enabled():
        return
    keys = [_ALL] if user_ids is None else [_user_version_key(pk) for pk in set(user_ids)]
    if not keys:
        return
    _replace(keys)
    transaction.on_commit(lambda: _replace(keys))
