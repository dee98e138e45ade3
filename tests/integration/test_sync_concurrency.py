"""No change may be skipped when transactions commit out of order (real PostgreSQL).

A "changed since" cursor built on ids or timestamps skips a row whose
transaction began first and committed last: the client has already moved past
it. The feed serves change-log rows by writing transaction only below the
oldest transaction still running, so a late commit is served by a later pass.

Each writer runs in a thread with its own connection, through the services,
and closes its connection when done.

The watermark is the oldest transaction running in *this* database: one left
open in another database on the same server does not hold the feed back (the
last test here).
"""

import random
import threading
import time
from collections.abc import Callable

import psycopg
import pytest
from django.core import signing
from django.db import connection, transaction
from django.db.models import Max

from changelog.log import KIND_ASSIGNMENT
from changelog.models import ChangeLog
from directives import services
from directives.models import Assignment
from sync.feed import TOKEN_SALT
from tests.directives.factories import assign_one
from tests.sync.conftest import SyncPass, sync_all
from units.models import User

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 20  # seconds: the most a step may take before the test gives up


def in_thread(work: Callable[[], None], errors: list) -> threading.Thread:
    """Run `work` in a thread with its own database connection, closed at the end."""

    def run():
        try:
            work()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def acknowledge(user_id: int, assignment_id: int) -> None:
    services.assignment_acknowledge(
        actor=User.objects.get(pk=user_id), assignment=Assignment.objects.get(pk=assignment_id)
    )


def assignment_ids(result: SyncPass) -> set[int]:
    return {item["id"] for item in result.changes if item["type"] == KIND_ASSIGNMENT}


def settled_token(client) -> str:
    """A token past every change-log row written so far.

    A full sync's token starts at the watermark of its first page, which may lie
    below rows already written (a transaction elsewhere was running): a delta then
    serves those rows again, harmlessly, but a test could mistake such a replay
    for the change it waits for. Syncing until the token starts above every row
    rules that out: afterwards only new rows can bring an object.
    """
    token = sync_all(client).token
    last = ChangeLog.objects.aggregate(last=Max("txid"))["last"] or 0
    deadline = time.monotonic() + WAIT
    while signing.loads(token, salt=TOKEN_SALT)["lo"] <= last:
        assert time.monotonic() < deadline, "the watermark never passed the setup"
        time.sleep(0.05)
        token = sync_all(client, token).token
    return token


def sync_until(client, token: str, wanted: set[int], seen: set[int], wait: float = WAIT) -> str:
    """Sync from `token` until every id of `wanted` has been seen (or `wait` runs out)."""
    deadline = time.monotonic() + wait
    while True:
        result = sync_all(client, token)
        seen |= assignment_ids(result)
        token = result.token
        if wanted <= seen or time.monotonic() > deadline:
            return token
        time.sleep(0.05)


@pytest.fixture
def officer_client(client_for, officer):
    return client_for(officer)


def test_a_transaction_that_commits_late_is_not_skipped(org, director, officer, officer_client):
    x, y = (assign_one(actor=director, unit=org.hiephoa) for _ in range(2))
    token = settled_token(officer_client)
    changed, release, errors = threading.Event(), threading.Event(), []

    def slow_writer():
        with transaction.atomic():
            acknowledge(officer.pk, x.pk)
            changed.set()
            assert release.wait(WAIT), "never released"

    writer = in_thread(slow_writer, errors)
    try:
        assert changed.wait(WAIT), errors
        # B changes Y and commits while A (X) is still open.
        fast = in_thread(lambda: acknowledge(officer.pk, y.pk), errors)
        fast.join(WAIT)
        assert not errors, errors
        assert ChangeLog.objects.filter(kind=KIND_ASSIGNMENT, object_id=y.pk).count() == 2

        first = sync_all(officer_client, token)
        # Y or nothing: never X, which is not committed, and never a token past it.
        assert assignment_ids(first) <= {y.pk}
    finally:
        release.set()
        writer.join(WAIT)
    assert not errors, errors

    x_row = ChangeLog.objects.filter(kind=KIND_ASSIGNMENT, object_id=x.pk).order_by("-id").first()
    assert signing.loads(first.token, salt=TOKEN_SALT)["lo"] <= x_row.txid
    seen = assignment_ids(first)
    sync_until(officer_client, first.token, {x.pk, y.pk}, seen)
    assert {x.pk, y.pk} <= seen, "a change was skipped"


def test_the_first_sync_waits_for_the_older_open_transaction(
    org, director, officer, officer_client
):
    """With A open, B's younger commit is held back too: the feed serves nothing
    at or above the oldest running transaction, so it cannot skip A's rows."""
    x, y = (assign_one(actor=director, unit=org.hiephoa) for _ in range(2))
    token = settled_token(officer_client)
    changed, release, errors = threading.Event(), threading.Event(), []

    def slow_writer():
        with transaction.atomic():
            acknowledge(officer.pk, x.pk)
            changed.set()
            assert release.wait(WAIT)

    writer = in_thread(slow_writer, errors)
    try:
        assert changed.wait(WAIT), errors
        in_thread(lambda: acknowledge(officer.pk, y.pk), errors).join(WAIT)
        held_back = sync_all(officer_client, token)
    finally:
        release.set()
        writer.join(WAIT)

    assert not errors, errors
    assert y.pk not in assignment_ids(held_back)
    seen: set[int] = set()
    sync_until(officer_client, held_back.token, {x.pk, y.pk}, seen)
    assert {x.pk, y.pk} <= seen


@pytest.mark.parametrize("round_", range(3))
def test_many_writers_committing_in_random_order_lose_nothing(
    org, director, officer, officer_client, round_
):
    writers = 8
    targets = [assign_one(actor=director, unit=org.hiephoa) for _ in range(writers)]
    token = settled_token(officer_client)
    rng = random.Random(round_)
    delays = [rng.uniform(0, 0.4) for _ in targets]
    start, errors = threading.Barrier(writers), []

    def writer(assignment_id: int, delay: float):
        def work():
            start.wait(WAIT)
            with transaction.atomic():
                acknowledge(officer.pk, assignment_id)
                time.sleep(delay)  # commit order differs from begin order

        return work

    threads = [
        in_thread(writer(target.pk, delay), errors)
        for target, delay in zip(targets, delays, strict=True)
    ]
    # The phone keeps syncing while the writers commit.
    seen: set[int] = set()
    tokens = []
    while any(thread.is_alive() for thread in threads):
        result = sync_all(officer_client, token)
        seen |= assignment_ids(result)
        token = result.token
        tokens.append(token)
        time.sleep(0.02)
    for thread in threads:
        thread.join(WAIT)
    assert not errors, errors

    wanted = {target.pk for target in targets}
    sync_until(officer_client, token, wanted, seen)
    assert seen == wanted, f"missed {sorted(wanted - seen)} after {len(tokens)} syncs"
    for target in targets:
        target.refresh_from_db()
        assert target.status == "acknowledged"


def test_a_transaction_in_another_database_does_not_stall_the_feed(
    org, director, officer, officer_client
):
    x = assign_one(actor=director, unit=org.hiephoa)
    token = settled_token(officer_client)
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",  # the maintenance database, never this test's
    ) as other:
        other.execute("SELECT pg_current_xact_id()")  # takes a transaction id, writes nothing
        acknowledge(officer.pk, x.pk)
        seen: set[int] = set()
        sync_until(officer_client, token, {x.pk}, seen, wait=5)
        other.rollback()

    assert x.pk in seen
