"""Reminders under faults, with real processes: PostgreSQL, a redis-server of the
test's own, Celery workers and beats.

DESIGN §4 promises that with two beats running by mistake, a worker killed
mid-delivery, or Redis restarted, every due reminder is still delivered
exactly once per channel and recipient. Each test here checks the ledger and
the inbox against each other: as many `sent` rows as due points × recipients,
and exactly one inbox message per sent row (`dedup_key` = `ledger:<id>`).

Workers read the test database, so the data is committed
(`transaction=True`); the seeded calendar, categories and default policy are
put back first, since a transactional test that ran before flushed them.
"""

import re
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from celery.app.task import Task
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from directives.models import Assignment, AssignmentStatus, NextReminder
from notifications.models import Notification, WebhookEndpoint
from reminders import services
from reminders.models import LedgerState, ReminderLedger
from tests.directives.factories import post_if_match
from tests.integration.reminder_helpers import (
    FakeReceiver,
    RedisServer,
    app_on_broker,
    make_due_points,
    process_env,
    reseed_reference_data,
    start_beat,
    start_worker,
    stopping,
    wait_for,
    wait_ready,
)
from tests.reminders.helpers import schedule_reminders

TRANSACTIONAL = pytest.mark.django_db(transaction=True)
SENT, PENDING, FAILED = LedgerState.SENT, LedgerState.PENDING, LedgerState.FAILED


@pytest.fixture
def reminder_settings(settings):
    """The test process sweeps like the workers: at any hour, with a short lease."""
    reseed_reference_data()
    settings.REMINDER_WINDOW = "always"
    settings.REMINDER_DELIVERY_LEASE_SECONDS = 5
    settings.REMINDER_MAX_ATTEMPTS = 3
    # Inbox rows go out in tasks of this many (the hand-out is this process's), so
    # a fault lands between batches and in the middle of the stream.
    settings.REMINDER_INBOX_BATCH = 10
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 1000
    settings.WEBHOOK_TIMEOUT_SECONDS = 5.0
    return settings


def no_hand_off():
    """Keep the sweep's hand-off to workers from going anywhere. Patched on the
    Task class: a `@shared_task` resolves to the current app's task, and a new
    thread's current app is not the main thread's."""
    return mock.patch.object(Task, "delay")


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


def sent_count() -> int:
    return ReminderLedger.objects.filter(state=SENT).count()


def assert_ledger_and_inbox_agree(expected: int) -> None:
    """Exactly `expected` rows, all sent once, and one inbox message for each."""
    ledger = list(ReminderLedger.objects.values_list("pk", "state", "attempts", "channel"))
    assert len(ledger) == expected
    assert {state for _pk, state, _attempts, _channel in ledger} == {SENT}
    # One successful attempt each: no row was delivered twice.
    assert {attempts for _pk, _state, attempts, _channel in ledger} == {1}
    keys = list(Notification.objects.values_list("dedup_key", flat=True))
    assert len(keys) == len(set(keys)) == expected
    assert set(keys) == {f"ledger:{pk}" for pk, *_rest in ledger}


def sweep_until_all_sent(expected: int, *, timeout: float, processes, stall: float = 2.0) -> None:
    """Run a sweep, as beat would, whenever deliveries stop progressing for
    `stall` s, until every row is sent: a sweep hands out again the rows whose
    lease ran out (a killed worker's, a lost message's).

    Sweeping only on a stall keeps the lease longer than the sweep interval, as
    in production (120 s each): a sweep every second with a 5 s lease would hand
    out the whole queued backlog again every 5 s."""
    progress = {"sent": -1, "at": time.monotonic()}

    def done() -> bool:
        sent = sent_count()
        if sent >= expected:
            return True
        now = time.monotonic()
        if sent != progress["sent"]:
            progress.update(sent=sent, at=now)
        elif now - progress["at"] >= stall:
            services.reminder_sweep()
            progress["at"] = now
        return False

    wait_for(
        done,
        timeout=timeout,
        interval=0.5,
        what=f"{expected} sent ledger rows",
        on_timeout=lambda: (
            f"sent {sent_count()}\n" + "\n".join(process.log_tail() for process in processes)
        ),
    )


# --- a worker killed mid-delivery ------------------------------------------------------------


@TRANSACTIONAL
def test_a_worker_killed_mid_delivery_loses_nothing_and_doubles_nothing(
    reminder_settings, redis_server, tmp_path
):
    due = make_due_points(1000)
    env = process_env(redis_server.url, tmp_path)

    with app_on_broker(redis_server.url), stopping() as processes:
        first, second = (start_worker(f"w{i}", env, tmp_path) for i in (1, 2))
        processes += [first, second]
        wait_ready(first, second)

        started = time.monotonic()
        result = services.reminder_sweep()  # records 1,000 rows, hands them out on commit
        assert (result.assignments, result.recorded, result.enqueued) == (1000, 1000, 1000)

        at_kill = wait_for(
            lambda: (n := sent_count()) >= 333 and n,
            timeout=60,
            interval=0.05,
            what="a third of the deliveries",
            on_timeout=lambda: first.log_tail() + second.log_tail(),
        )
        first.kill_hard()
        killed_after = time.monotonic() - started
        assert at_kill < 1000, "everything was delivered before the kill: nothing was tested"

        third = start_worker("w3", env, tmp_path)
        processes.append(third)
        sweep_until_all_sent(1000, timeout=120, processes=processes)
        elapsed = time.monotonic() - started

    assert_ledger_and_inbox_agree(1000)
    assert set(Notification.objects.values_list("user", flat=True)) == {due.members[0].pk}
    # Every assignment moved on to its next point (a month of working days away).
    assert not NextReminder.objects.filter(at__lte=timezone.now()).exists()
    print(
        f"1,000 deliveries, one worker killed at {at_kill} sent after {killed_after:.1f} s; "
        f"all sent after {elapsed:.1f} s"
    )


# --- two beats ----------------------------------------------------------------------------------


@TRANSACTIONAL
def test_two_beats_running_by_mistake_send_every_reminder_once(
    reminder_settings, redis_server, tmp_path
):
    due = make_due_points(30, members=2)
    expected = 30 * 2
    env = process_env(redis_server.url, tmp_path, REMINDER_SWEEP_SECONDS="2")

    with stopping() as processes:
        # Two pool processes, so that two sweeps really run at the same time.
        worker = start_worker("worker", env, tmp_path, concurrency=2)
        processes.append(worker)
        wait_ready(worker)
        beats = [start_beat(f"beat{i}", env, tmp_path) for i in (1, 2)]
        processes += beats
        started = time.monotonic()

        wait_for(
            lambda: sent_count() >= expected,
            timeout=60,
            what=f"{expected} reminders sent by the beats' sweeps",
            on_timeout=lambda: "\n".join(p.log_tail() for p in processes),
        )
        # Keep both beats sweeping for several intervals more: nothing may be added.
        time.sleep(max(0.0, 15 - (time.monotonic() - started)))
        for beat in beats:
            assert beat.alive, beat.log_tail()
        sweeps_sent = [beat.log().count("Sending due task reminders-sweep") for beat in beats]
        worker_log = worker.log()

    assert all(n >= 3 for n in sweeps_sent), sweeps_sent  # both beats were really sweeping
    assert len(re.findall(r"Task reminders\.sweep\[[^\]]+\] received", worker_log)) >= 6
    assert_ledger_and_inbox_agree(expected)
    assert set(Notification.objects.values_list("user", flat=True)) == {
        person.pk for person in due.members
    }


# --- Redis stopped in the middle --------------------------------------------------------------


@pytest.fixture
def cache_on(settings):
    """Point this process's cache at a Redis URL (the app's cache is Redis in production)."""

    def point(url: str) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "thads",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }

    return point


@TRANSACTIONAL
def test_redis_restarted_mid_delivery_every_reminder_still_goes_out_once(
    reminder_settings, redis_server, cache_on, tmp_path
):
    from tests.directives.factories import DirectiveFactory, assign_one

    cache_on(redis_server.url)
    due = make_due_points(300)
    officer = due.members[0]
    # Work the officer acknowledges while Redis is down (nothing due on it).
    other = assign_one(
        actor=due.assignments[0].assigned_by,
        unit=due.unit,
        directive=DirectiveFactory(document=due.directive.document),
    )
    client = APIClient()
    client.force_authenticate(user=officer)
    env = process_env(redis_server.url, tmp_path)

    with app_on_broker(redis_server.url), stopping() as processes:
        worker = start_worker("worker", env, tmp_path)
        processes.append(worker)
        wait_ready(worker)

        services.reminder_sweep()  # 300 rows handed out over Redis...
        redis_server.stop()  # ...which goes away with whatever is still queued
        at_stop = sent_count()

        # The API does not need Redis to read or write.
        listed = client.get("/api/v1/assignments/")
        assert listed.status_code == 200, listed.content
        acknowledged = post_if_match(client, f"/api/v1/assignments/{other.pk}/acknowledge/")
        assert acknowledged.status_code == 200, acknowledged.content
        assert client.get("/api/v1/notifications/unread-count/").status_code == 200

        # More points fall due while Redis is down: the sweep records them; the
        # hand-off fails, and the rows wait, pending and leased.
        more = make_due_points(50, tag="down")
        with pytest.raises(OperationalError):  # the broker is unreachable
            services.reminder_sweep()
        assert ReminderLedger.objects.count() == 350
        assert not ReminderLedger.objects.filter(assignment__in=more.assignments, state=SENT)
        assert ReminderLedger.objects.filter(state__in=(SENT, PENDING)).count() == 350

        time.sleep(1)
        stalled = sent_count()
        # Nothing moves without the broker but what the worker had already taken:
        # one batch of inbox rows (a solo worker with a prefetch of 1).
        assert stalled <= at_stop + reminder_settings.REMINDER_INBOX_BATCH, (at_stop, stalled)
        redis_server.start()  # same port, empty: the queued messages are gone
        sweep_until_all_sent(350, timeout=120, processes=processes)

    assert_ledger_and_inbox_agree(350)
    other.refresh_from_db()
    assert other.status == AssignmentStatus.ACKNOWLEDGED
    print(f"Redis stopped with {at_stop}/300 sent")


@pytest.mark.django_db
def test_signing_in_while_redis_is_down(cache_on, tmp_path):
    from tests.factories import PASSWORD, UserFactory

    user = UserFactory(username="signs-in")
    with RedisServer(tmp_path) as server:
        cache_on(server.url)
    # The server is stopped now; the cache still points at it.
    client = APIClient(raise_request_exception=False)

    response = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200, response.status_code


# --- a webhook receiver that is down ---------------------------------------------------------


@TRANSACTIONAL
def test_a_webhook_answering_503_is_retried_with_backoff_and_does_not_hold_up_the_inbox(
    reminder_settings, redis_server, tmp_path
):
    with FakeReceiver(status=503, delay=0.3) as receiver:
        due = make_due_points(10, members=2, channels=("inbox",))
        hooked = due.members[0]
        hooked.notification_preference.channels = ["inbox", "webhook"]
        hooked.notification_preference.save()
        endpoint = WebhookEndpoint.objects.create(user=hooked, url=receiver.url)
        env = process_env(redis_server.url, tmp_path)

        with app_on_broker(redis_server.url), stopping() as processes:
            worker = start_worker("worker", env, tmp_path)
            processes.append(worker)
            wait_ready(worker)
            started = time.monotonic()
            services.reminder_sweep()
            inbox = ReminderLedger.objects.filter(channel="inbox")
            hooks = ReminderLedger.objects.filter(channel=f"webhook:{endpoint.pk}")
            assert (inbox.count(), hooks.count()) == (20, 10)

            wait_for(
                lambda: inbox.filter(state=SENT).count() == 20,
                timeout=30,
                what="the inbox deliveries",
                on_timeout=worker.log_tail,
            )
            inbox_done = time.monotonic() - started
            wait_for(
                lambda: hooks.filter(attempts=1).count() == 10,
                timeout=30,
                what="one attempt at each webhook",
                on_timeout=worker.log_tail,
            )
            time.sleep(1.5)  # the worker does not retry by itself
            assert receiver.count() == 10

    # Inbox rows are not held up behind the failing receiver (10 × 0.3 s at most).
    assert inbox_done < 15, inbox_done
    assert Notification.objects.count() == 20
    for row in hooks:
        assert (row.state, row.attempts, row.last_error) == (
            PENDING,
            1,
            "HTTP 503 Service Unavailable",
        )
        # The worker's first failure: the next attempt in 30 s (worker clock).
        first_wait = row.next_attempt_at - row.created_at
        assert timedelta(seconds=30) <= first_wait < timedelta(seconds=90), first_wait

    # The retries, on a clock moved forward to each row's next attempt; the sweep
    # does not hand a row out before then.
    with FakeReceiver(status=503) as receiver:
        endpoint.url = receiver.url
        endpoint.save(update_fields=["url"])
        for row in hooks.order_by("pk"):
            early = row.next_attempt_at - timedelta(seconds=1)
            with no_hand_off() as delay:
                services.enqueue_pending(now=early)
            assert row.pk not in {call.args[0] for call in delay.call_args_list}
            waits = []
            for attempt in (2, 3):
                now = row.next_attempt_at
                state = services.reminder_deliver(ledger_id=row.pk, now=now)
                row.refresh_from_db()
                assert row.attempts == attempt
                if attempt < 3:
                    assert state == PENDING
                    waits.append(row.next_attempt_at - now)
            assert state == FAILED
            assert (row.next_attempt_at, row.last_error) == (None, "HTTP 503 Service Unavailable")
            assert waits == [timedelta(seconds=120)]  # grows: 30 s, then 120 s
        deliveries = [r.headers["X-THADS-Delivery"] for r in receiver.received]

    assert sorted(deliveries) == sorted(f"ledger:{row.pk}" for row in hooks for _ in (2, 3))
    assert set(hooks.values_list("state", flat=True)) == {FAILED}
    assert set(inbox.values_list("state", flat=True)) == {SENT}


# --- concurrency without broker: sweeps and fan-outs racing on PostgreSQL ----------------------


def _in_threads(target, n: int) -> list:
    results, errors = [None] * n, []
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = target()
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@TRANSACTIONAL
def test_four_sweeps_at_once_record_each_point_once(reminder_settings):
    make_due_points(400, members=2)

    with no_hand_off():
        results = _in_threads(services.reminder_sweep, 4)

    # skip_locked: the sweeps share the assignments out between them.
    assert sum(r.assignments for r in results) == 400
    assert ReminderLedger.objects.count() == 800
    assert ReminderLedger.objects.filter(state=PENDING).count() == 800


@TRANSACTIONAL
def test_the_sweep_skips_an_assignment_a_transition_holds_and_takes_it_next_time(
    reminder_settings,
):
    due = make_due_points(3, members=1)
    held = due.assignments[0]
    locked, release = threading.Event(), threading.Event()

    def transition_under_way() -> None:
        # What a service's `transition()` holds while it works: the assignment's row.
        from django.db import transaction

        with transaction.atomic():
            Assignment.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=lambda: (transition_under_way(), connections.close_all()))
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with no_hand_off():
            first = services.reminder_sweep()
        assert first.assignments == 2
        assert not ReminderLedger.objects.filter(assignment=held).exists()
        assert NextReminder.objects.filter(assignment=held, at__lte=timezone.now()).exists()
    finally:
        release.set()
        holder.join(timeout=30)

    with no_hand_off():
        second = services.reminder_sweep()
    assert second.assignments == 1
    assert ReminderLedger.objects.filter(assignment=held).count() == 1
    assert ReminderLedger.objects.count() == 3


@TRANSACTIONAL
def test_two_fan_outs_at_once_create_each_period_once(reminder_settings):
    from directives.services import recurring_fan_out, recurring_schedule_set
    from tests.directives.factories import DirectiveFactory, DocumentFactory
    from tests.factories import OrgUnitFactory, member
    from units.models import Role, UnitKind

    department = OrgUnitFactory(code="IT-CUC", kind=UnitKind.DEPARTMENT)
    director = member(department, Role.DIRECTOR, username="fan-out-director")
    units = [OrgUnitFactory(code=f"IT-U{i}", parent=department) for i in range(5)]
    directive = DirectiveFactory(document=DocumentFactory(created_by=director))
    recurring_schedule_set(
        actor=director,
        directive=directive,
        rrule="FREQ=WEEKLY;BYDAY=MO,TH",
        starts_on=directive.document.issued_on,
        units=units,
        lead_time_days=60,
    )

    created = _in_threads(recurring_fan_out, 2)

    count = Assignment.objects.filter(directive=directive).count()
    assert sum(created) == count
    assert count >= 5 * 16  # twice a week for 60 days, five units
    periods = list(Assignment.objects.values_list("unit", "period_start"))
    assert len(periods) == len(set(periods))


# --- the sweep's cost on PostgreSQL ------------------------------------------------------------


@pytest.mark.django_db
def test_a_sweep_over_50_due_assignments_costs_what_one_over_5_does(reminder_settings):
    few = make_due_points(5, members=3, channels=("inbox", "email"))
    many = make_due_points(50, members=3, channels=("inbox", "email"))
    schedule_reminders(many.assignments, None)

    with no_hand_off():
        with CaptureQueriesContext(connection) as for_5:
            services.reminder_sweep()
        schedule_reminders(many.assignments, many.assignments[0].assigned_at)
        with CaptureQueriesContext(connection) as for_50:
            services.reminder_sweep()

    assert ReminderLedger.objects.filter(assignment__directive=few.directive).count() == 5 * 6
    assert ReminderLedger.objects.filter(assignment__directive=many.directive).count() == 50 * 6
    assert len(for_50) == len(for_5), [q["sql"][:60] for q in for_50.captured_queries]
