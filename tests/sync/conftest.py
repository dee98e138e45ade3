"""Helpers of the sync suite: follow the feed like a phone does.

A phone calls `GET /api/v1/sync/` (with `since` once it has a token), follows
`next_token` while `has_more`, and keeps the last `next_token` for next time.
`sync_all` does exactly that and returns what the whole pass carried.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from notifications.delivery import Message, deliver
from notifications.models import Notification
from tests.conftest import ScopedAPIClient
from units.models import User

SYNC = "/api/v1/sync/"

Key = tuple[str, int]


@dataclass
class SyncPass:
    changes: list[dict] = field(default_factory=list)
    deleted: list[dict] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)
    token: str = ""

    @property
    def changed(self) -> set[Key]:
        return {(item["type"], item["id"]) for item in self.changes}

    @property
    def gone(self) -> set[Key]:
        return {(item["type"], item["id"]) for item in self.deleted}


def sync_all(
    client: APIClient,
    since: str | None = None,
    *,
    page_size: int | None = None,
    gone_ok: bool = False,
) -> SyncPass | None:
    """One sync pass: every page, from `since` (a full sync without it).

    With `gone_ok`, a 410 on the first page returns None instead of failing.
    """
    result = SyncPass()
    token = since
    for page in range(1000):
        params: dict = {}
        if token is not None:
            params["since"] = token
        if page_size is not None:
            params["page_size"] = page_size
        response = client.get(SYNC, params)
        if gone_ok and page == 0 and response.status_code == 410:
            return None
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"changes", "deleted", "next_token", "has_more"}, body
        assert body["next_token"], body
        for item in body["changes"]:
            # Each change carries the object as its own endpoint shows it.
            assert item["data"]["id"] == item["id"], item
        result.pages.append(body)
        result.changes += body["changes"]
        result.deleted += body["deleted"]
        token = body["next_token"]
        if not body["has_more"]:
            result.token = token
            return result
    raise AssertionError("the feed never ended")


# A new test client builds a new middleware chain on its first request, and
# WhiteNoise then scans STATIC_ROOT: a tenth of a second or more per client. The
# suite keeps its clients and signs each one in afresh for every use.
_POOL: dict[str, ScopedAPIClient] = {}


def pooled_client(user: User | None, slot: str) -> ScopedAPIClient:
    """The kept client of `slot`, acting as a fresh copy of `user` (None: anonymous)."""
    client = _POOL.setdefault(slot, ScopedAPIClient())
    client.credentials()
    client.cookies.clear()
    client.force_authenticate(user=User.objects.get(pk=user.pk) if user else None)
    return client


@pytest.fixture
def client_for(db) -> Callable[..., ScopedAPIClient]:
    """Like the suite's `client_for(user)`, with kept clients: one per user in a test."""

    def make(user: User | None) -> ScopedAPIClient:
        return pooled_client(user, slot=user.username if user else "anonymous")

    return make


@pytest.fixture
def inbox() -> Callable[..., Notification]:
    """`inbox(user)` → a message delivered to `user`'s inbox, the way reminders do."""
    counter = iter(range(1, 10_000))

    def make(user) -> Notification:
        delivery_id = f"test:{user.pk}:{next(counter)}"
        deliver(
            "inbox",
            user=user,
            message=Message(title="Nhắc hạn nhiệm vụ", body="Sắp đến hạn."),
            delivery_id=delivery_id,
        )
        return Notification.objects.get(dedup_key=delivery_id)

    return make


class Replica:
    """What a phone holds: objects by (type, id), kept up to date by syncing.

    `pull()` syncs from the last token (a full sync the first time); a 410 makes
    it do what the API tells a phone to do: drop everything and sync from scratch.
    """

    def __init__(self, client: APIClient, *, page_size: int | None = None) -> None:
        self.client = client
        self.page_size = page_size
        self.objects: dict[Key, dict] = {}
        self.token: str | None = None
        self.resyncs = 0

    def pull(self) -> SyncPass:
        result = sync_all(self.client, self.token, page_size=self.page_size, gone_ok=True)
        if result is None:
            self.resyncs += 1
            self.objects.clear()
            self.token = None
            result = sync_all(self.client, page_size=self.page_size)
        self.apply(result)
        return result

    def apply(self, result: SyncPass) -> None:
        # Page by page, in order, the way a phone applies them.
        for page in result.pages:
            for item in page["changes"]:
                self.objects[(item["type"], item["id"])] = item["data"]
            for item in page["deleted"]:
                self.objects.pop((item["type"], item["id"]), None)
        self.token = result.token

    @property
    def keys(self) -> set[Key]:
        return set(self.objects)


def fresh_view(client: APIClient) -> dict[Key, dict]:
    """What a phone that syncs from scratch now would hold."""
    return {(item["type"], item["id"]): item["data"] for item in sync_all(client).changes}


@pytest.fixture(autouse=True)
def _sequence_watermark(settings):
    # These tests run inside one transaction that never commits; on PostgreSQL
    # the transaction-id watermark would rightly hold every change back until it
    # did. Row order equals commit order here, as with serialised writers.
    # tests/integration/test_sync_concurrency.py covers the real watermark.
    settings.SYNC_WATERMARK = "sequence"
