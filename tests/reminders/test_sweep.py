"""reminders.services: the sweep, the ledger, delivery, digests, and the HTTP API
around them (ledger, policies, inbox, channel settings).

Every call takes `now=`: the clock is frozen by argument, never by the real time.
Hiệp Hòa (the shared `org`) has a head, a deputy head, an officer and a
deactivated officer; leadership is the director and the deputy director.
Without a stored preference a user hears on the inbox and by e-mail.

A test here runs inside one transaction, so the sweep's `on_commit` hand-off to
the workers does not run unless a test captures and runs it; most tests call
`reminder_deliver` themselves, which is what the worker's task does.
"""

import re
from collections import Counter
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from celery.app.task import Task
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changelog.models import ChangeLog
from directives import selectors as directive_selectors
from directives import services as directive_services
from directives.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ReminderPolicy,
    Timeliness,
)
from notifications.delivery import DeliveryError
from notifications.models import Notification
from reminders import services
from reminders.models import LedgerState, ReminderLedger
from reminders.services import handout
from tests.directives.factories import DirectiveFactory, assign_one, drive, request_extension
from tests.factories import OrgUnitFactory, member
from tests.reminders.helpers import API, at, kinds, prefer, rows, schedule_reminders
from thads.clock import local_today
from units.models import Role

PENDING, SENT, FAILED, SKIPPED = (
    LedgerState.PENDING,
    LedgerState.SENT,
    LedgerState.FAILED,
    LedgerState.SKIPPED,
)
UNIT_MEMBERS = ("hiephoa.deputy", "hiephoa.head", "hiephoa.officer")
BOTH = ("email", "inbox")

# Wednesday 6/5/2026, just after the 30/4–1/5 holidays. Its default points:
# before_7 Wed 22/4, before_3 Wed 29/4, before_1 Tue 5/5, due Wed 6/5,
# overdue_1 + escalation_head Thu 7/5, overdue_2 Tue 12/5,
# escalation_leadership Thu 14/5, overdue_3 Fri 15/5 (all at 07:30).
DEADLINE = date(2026, 5, 6)
ASSIGNED_AT = at(2026, 4, 21, 10, 0)


@pytest.fixture
def hiephoa_assignment(org, director, directive) -> Assignment:
    return assign_one(
        actor=director, unit=org.hiephoa, directive=directive, due_date=DEADLINE, now=ASSIGNED_AT
    )


@pytest.fixture(params=["one by one", "inbox in batches"])
def deliver_all(request):
    """Delivers every pending row (of `filters`) as the workers would: each row on
    its own (`reminder_deliver`), or, as the hand-out does, the inbox rows in one
    batch (`reminder_deliver_inbox`) and the others on their own. Both ways must
    end the same. Returns the rows' states afterwards, in id order."""

    def run(now, **filters) -> list[str]:
        pending = ReminderLedger.objects.filter(state=PENDING, **filters).order_by("id")
        ids = list(pending.values_list("pk", flat=True))
        singles = ids
        if request.param == "inbox in batches":
            inbox = list(pending.filter(channel="inbox").values_list("pk", flat=True))
            services.reminder_deliver_inbox(ledger_ids=inbox, now=now)
            singles = [pk for pk in ids if pk not in inbox]
        for pk in singles:
            services.reminder_deliver(ledger_id=pk, now=now)
        return list(
            ReminderLedger.objects.filter(pk__in=ids).order_by("id").values_list("state", flat=True)
        )

    return run


def unit_rows(kind: str, *, state=PENDING, users=UNIT_MEMBERS, channels=BOTH):
    return sorted((kind, user, channel, state) for user in users for channel in channels)


# --- when an assignment is late ---------------------------------------------------------


def test_assignment_due_on_d_is_on_time_at_23_59_59_local_and_overdue_at_00_00_of_d_plus_1(
    always_open, org, director, directive
):
    # Wednesday 13/5/2026. 00:00 local on Thursday is 17:00 UTC on Wednesday: the
    # UTC date still says "the deadline", the local date says "late".
    assignment = assign_one(
        actor=director,
        unit=org.hiephoa,
        directive=directive,
        due_date=date(2026, 5, 13),
        now=at(2026, 5, 11, 10, 0),
    )
    last_second = at(2026, 5, 13, 23, 59, 59)
    midnight = at(2026, 5, 14, 0, 0, 0)
    assert midnight.utctimetuple()[:3] == (2026, 5, 13)

    def timeliness(now):
        listed = directive_selectors.assignment_list(user=director, today=local_today(now))
        return (
            directive_selectors.timeliness_of(assignment, today=local_today(now)),
            listed.get(pk=assignment.pk).timeliness,
        )

    assert timeliness(last_second) == (Timeliness.OPEN_ON_TIME, Timeliness.OPEN_ON_TIME)
    assert timeliness(midnight) == (Timeliness.OPEN_OVERDUE, Timeliness.OPEN_OVERDUE)

    # The sweep agrees: with the window "always" points sit at 00:00 local.
    services.reminder_sweep(now=at(2026, 5, 12, 9, 0))
    assert set(kinds()) == {"before_1"}
    services.reminder_sweep(now=last_second)
    assert set(kinds()) == {"before_1", "due"}  # on the day: "due", not overdue
    services.reminder_sweep(now=midnight)
    assert set(kinds()) == {"before_1", "due", "overdue_1", "escalation_head"}


def test_a_point_missed_before_the_weekend_waits_for_monday_07_30(org, director, directive):
    # Due Tuesday 12/5/2026, assigned on Friday evening: "3 working days before"
    # (Thursday) has passed, so the assignment is due for a sweep at once; the
    # window is closed until Monday 11/5 07:30, when "1 working day before" is
    # the latest point of its series.
    assignment = assign_one(
        actor=director,
        unit=org.hiephoa,
        directive=directive,
        due_date=date(2026, 5, 12),
        now=at(2026, 5, 8, 18, 0),
    )
    assert assignment.next_reminder_at < at(2026, 5, 8, 18, 0)

    for closed in (at(2026, 5, 9, 10, 0), at(2026, 5, 10, 10, 0), at(2026, 5, 11, 7, 29, 59)):
        result = services.reminder_sweep(now=closed)
        assert result.window_closed, closed
        assert (result.recorded, result.enqueued) == (0, 0)
    assert not ReminderLedger.objects.exists()

    result = services.reminder_sweep(now=at(2026, 5, 11, 7, 30))

    assert not result.window_closed
    assert rows() == unit_rows("before_1")
    assert {row.due_at for row in ReminderLedger.objects.all()} == {at(2026, 5, 11)}


def test_a_friday_point_found_on_saturday_goes_out_on_monday_as_the_latest_of_its_series(
    org, director, directive
):
    # Due Monday 11/5: "1 working day before" is Friday 8/5 07:30. Nothing swept on
    # Friday (the system was down); Saturday is outside the window; on Monday the
    # stale "due tomorrow" is replaced by "due today".
    assign_one(
        actor=director,
        unit=org.hiephoa,
        directive=directive,
        due_date=date(2026, 5, 11),
        now=at(2026, 5, 7, 18, 0),
    )

    assert services.reminder_sweep(now=at(2026, 5, 9, 9, 0)).window_closed
    services.reminder_sweep(now=at(2026, 5, 11, 7, 30))

    assert rows() == unit_rows("due")


def test_a_deadline_on_a_public_holiday_rolls_to_the_next_working_day_when_assigned(
    org, director, directive
):
    # 30/4 and 1/5/2026 are holidays, then a weekend: Monday 4/5.
    assignment = assign_one(
        actor=director,
        unit=org.hiephoa,
        directive=directive,
        due_date=date(2026, 4, 30),
        now=at(2026, 4, 1, 9, 0),
    )

    assert (assignment.original_due_date, assignment.due_date) == (
        date(2026, 5, 4),
        date(2026, 5, 4),
    )
    assert "30/04/2026" in assignment.events.get().note
    # Its reminders count back from the rolled deadline: 1 working day before
    # Monday 4/5 is Wednesday 29/4.
    services.reminder_sweep(now=at(2026, 4, 29, 7, 30))
    assert set(kinds()) == {"before_1"}
    assert set(ReminderLedger.objects.values_list("deadline", flat=True)) == {date(2026, 5, 4)}


# --- the sweep records each point once -------------------------------------------------


def test_sweep_records_each_point_once_per_recipient_and_channel(hiephoa_assignment):
    first = services.reminder_sweep(now=at(2026, 4, 22))

    assert (first.assignments, first.recorded) == (1, 6)
    assert rows() == unit_rows("before_7")
    a = hiephoa_assignment.pk
    officer = ReminderLedger.objects.get(recipient__username="hiephoa.officer", channel="inbox")
    # The key names the deadline the point refers to: a new deadline, new keys.
    assert officer.key == f"a{a}:before_7:2026-05-06:{officer.recipient_id}:inbox"

    second = services.reminder_sweep(now=at(2026, 4, 22))
    assert (second.assignments, second.recorded) == (0, 0)

    # A second beat that read the same `next_reminder_at` before the first moved
    # it meets the same unique keys: nothing is recorded twice.
    schedule_reminders([a], at(2026, 4, 22))
    services.reminder_sweep(now=at(2026, 4, 22, 7, 31))
    assert ReminderLedger.objects.count() == 6


def test_sweep_sends_escalations_to_the_head_and_to_leadership(hiephoa_assignment):
    services.reminder_sweep(now=at(2026, 5, 7))
    assert rows() == sorted(
        unit_rows("overdue_1")
        + unit_rows("escalation_head", users=("hiephoa.deputy", "hiephoa.head"))
    )

    ReminderLedger.objects.all().delete()
    services.reminder_sweep(now=at(2026, 5, 14))
    assert set(kinds()) == {"overdue_2", "escalation_leadership"}  # overdue_2 was due 12/5
    assert rows(kind="escalation_leadership") == unit_rows(
        "escalation_leadership", users=("deputy", "director")
    )


def test_next_reminder_at_moves_on_with_each_sweep(hiephoa_assignment):
    assert hiephoa_assignment.next_reminder_at == at(2026, 4, 22)

    services.reminder_sweep(now=at(2026, 4, 22, 9, 0))
    hiephoa_assignment.refresh_from_db()
    assert hiephoa_assignment.next_reminder_at == at(2026, 4, 29)

    services.reminder_sweep(now=at(2026, 5, 7, 8, 0))
    hiephoa_assignment.refresh_from_db()
    assert hiephoa_assignment.next_reminder_at == at(2026, 5, 12)


@pytest.mark.parametrize(
    "status", [AssignmentStatus.REPORTED, AssignmentStatus.DONE, AssignmentStatus.CANCELLED]
)
def test_next_reminder_at_is_cleared_when_the_unit_has_nothing_left_to_do(
    hiephoa_assignment, people, status
):
    drive(
        hiephoa_assignment,
        status,
        leader=people.director,
        member=people.officer,
        now=at(2026, 4, 23, 9, 0),
    )

    assert hiephoa_assignment.next_reminder_at is None
    services.reminder_sweep(now=at(2026, 5, 20))
    assert not ReminderLedger.objects.exists()


def test_acknowledging_keeps_the_reminders_coming(hiephoa_assignment, people):
    drive(
        hiephoa_assignment,
        AssignmentStatus.ACKNOWLEDGED,
        leader=people.director,
        member=people.officer,
        now=at(2026, 4, 23, 9, 0),
    )

    # The point of 22/4 is due and not swept yet: acknowledging must not skip it.
    assert hiephoa_assignment.next_reminder_at == at(2026, 4, 22)


def test_a_stale_next_reminder_at_of_finished_work_is_cleared_by_the_sweep(hiephoa_assignment):
    Assignment.objects.filter(pk=hiephoa_assignment.pk).update(status=AssignmentStatus.REPORTED)
    schedule_reminders([hiephoa_assignment], at(2026, 4, 22))

    services.reminder_sweep(now=at(2026, 4, 22))

    hiephoa_assignment.refresh_from_db()
    assert hiephoa_assignment.next_reminder_at is None
    assert not ReminderLedger.objects.exists()


def test_a_row_recorded_before_the_work_ended_is_skipped_when_delivered(
    hiephoa_assignment, people, deliver_all
):
    services.reminder_sweep(now=at(2026, 4, 22))
    drive(
        hiephoa_assignment,
        AssignmentStatus.REPORTED,
        leader=people.director,
        member=people.officer,
        now=at(2026, 4, 22, 7, 31),
    )

    assert set(deliver_all(at(2026, 4, 22, 7, 32))) == {SKIPPED}
    assert set(ReminderLedger.objects.values_list("reason", flat=True)) == {"work ended"}
    assert not Notification.objects.exists()


def test_a_due_point_not_yet_swept_survives_a_progress_report(hiephoa_assignment, people):
    # The first overdue point is Thu 7/5 07:30; the sweep has not run since.
    directive_services.assignment_report_progress(
        actor=people.officer, assignment=hiephoa_assignment, percent=10, now=at(2026, 5, 7, 8, 0)
    )

    services.reminder_sweep(now=at(2026, 5, 7, 9, 0))

    assert set(kinds()) == {"overdue_1", "escalation_head"}


# --- a new deadline ------------------------------------------------------------------


def test_approving_an_extension_moves_the_reminders_to_the_new_deadline(hiephoa_assignment, people):
    services.reminder_sweep(now=at(2026, 5, 5))  # before_1 about 6/5
    extension = request_extension(
        hiephoa_assignment,
        member=people.officer,
        requested=date(2026, 5, 20),
        now=at(2026, 5, 5, 9, 0),
    )

    directive_services.extension_approve(
        actor=people.director, extension=extension, now=at(2026, 5, 5, 10, 0)
    )

    hiephoa_assignment.refresh_from_db()
    assert hiephoa_assignment.due_date == date(2026, 5, 20)
    # 7 working days before Wednesday 20/5 is Monday 11/5.
    assert hiephoa_assignment.next_reminder_at == at(2026, 5, 11)
    # Nothing about the old deadline any more: 6/5 passes without "due" or "overdue".
    services.reminder_sweep(now=at(2026, 5, 7))
    assert set(kinds()) == {"before_1"}

    services.reminder_sweep(now=at(2026, 5, 19))  # before_7 and before_3 collapse
    officers_before_1 = ReminderLedger.objects.filter(
        kind="before_1", channel="inbox", recipient=people.officer
    ).order_by("id")
    assert [row.deadline for row in officers_before_1] == [date(2026, 5, 6), date(2026, 5, 20)]
    assert set(kinds()) == {"before_1"}


def test_a_pending_overdue_reminder_is_not_sent_once_the_deadline_was_extended(
    hiephoa_assignment, people, deliver_all
):
    services.reminder_sweep(now=at(2026, 5, 7))  # overdue_1 about 6/5, still pending
    extension = request_extension(
        hiephoa_assignment,
        member=people.officer,
        requested=date(2026, 5, 20),
        now=at(2026, 5, 7, 7, 31),
    )
    directive_services.extension_approve(
        actor=people.director, extension=extension, now=at(2026, 5, 7, 7, 32)
    )

    deliver_all(at(2026, 5, 7, 7, 33))

    overdue_messages = Notification.objects.filter(title__startswith="Quá hạn")
    assert not overdue_messages.exists(), [m.body for m in overdue_messages]


# --- who hears ------------------------------------------------------------------------------


def test_deactivated_users_get_nothing(hiephoa_assignment, people):
    people.officer.is_active = False
    people.officer.save(update_fields=["is_active"])

    services.reminder_sweep(now=at(2026, 4, 22))

    assert rows() == unit_rows("before_7", users=("hiephoa.deputy", "hiephoa.head"))
    usernames = set(ReminderLedger.objects.values_list("recipient__username", flat=True))
    assert not usernames & {"inactive", "ended", "hiephoa.officer"}


def test_a_user_deactivated_after_recording_is_not_sent_to(hiephoa_assignment, people, deliver_all):
    services.reminder_sweep(now=at(2026, 4, 22))
    people.officer.is_active = False
    people.officer.save(update_fields=["is_active"])

    deliver_all(at(2026, 4, 22, 7, 31))

    officer_rows = ReminderLedger.objects.filter(recipient=people.officer)
    assert {(r.state, r.last_error) for r in officer_rows} == {(FAILED, "recipient is deactivated")}
    assert not Notification.objects.filter(user=people.officer).exists()


def test_channel_preferences_decide_the_ledger_rows_and_the_messages(
    hiephoa_assignment, people, deliver_all
):
    prefer(people.officer, ["inbox"])
    prefer(people.head, ["inbox", "email"])
    prefer(people.deputy_head, [])

    services.reminder_sweep(now=at(2026, 4, 22))

    assert rows() == [
        ("before_7", "hiephoa.head", "email", PENDING),
        ("before_7", "hiephoa.head", "inbox", PENDING),
        ("before_7", "hiephoa.officer", "inbox", PENDING),
    ]
    assert set(deliver_all(at(2026, 4, 22, 7, 31))) == {SENT}
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == [
        "hiephoa.head",
        "hiephoa.officer",
    ]
    assert [message.to for message in mail.outbox] == [[people.head.email]]
    inbox = Notification.objects.get(user=people.officer)
    assert inbox.title.startswith("Sắp đến hạn")
    assert inbox.url == f"https://thads.example.vn/api/v1/assignments/{hiephoa_assignment.pk}/"
    assert inbox.data == {
        "assignment": hiephoa_assignment.pk,
        "kind": "before_7",
        "due_date": "2026-05-06",
    }


def test_digest_users_get_skipped_rows_and_one_digest_per_day_per_channel(
    hiephoa_assignment, people, deliver_all
):
    prefer(people.officer, ["inbox", "email"], digest=True)
    prefer(people.other_officer, ["inbox"], digest=True)  # nothing due in Yên Thế

    services.reminder_sweep(now=at(2026, 4, 29))

    officer_rows = ReminderLedger.objects.filter(recipient=people.officer)
    assert {(r.kind, r.channel, r.state, r.reason, r.next_attempt_at) for r in officer_rows} == {
        ("before_3", "inbox", SKIPPED, "digest", None),
        ("before_3", "email", SKIPPED, "digest", None),
    }

    services.digests_record(now=at(2026, 4, 29, 7, 30))
    services.digests_record(now=at(2026, 4, 29, 11, 0))  # beat fired twice: still one

    digests = ReminderLedger.objects.filter(kind="digest")
    assert sorted(digests.values_list("recipient__username", "channel", "deadline")) == [
        ("hiephoa.officer", "email", date(2026, 4, 29)),
        ("hiephoa.officer", "inbox", date(2026, 4, 29)),
    ]
    assert set(deliver_all(at(2026, 4, 29, 7, 31), kind="digest")) == {SENT}
    digest = Notification.objects.get(user=people.officer)
    assert digest.title == "Tổng hợp nhắc hạn ngày 29/04/2026"
    assert "06/05/2026" in digest.body
    assert len(mail.outbox) == 1

    services.digests_record(now=at(2026, 5, 4, 7, 30))  # the next working day: one more each
    assert ReminderLedger.objects.filter(kind="digest").count() == 4


@pytest.mark.parametrize(
    "day", [date(2026, 5, 9), date(2026, 5, 10), date(2026, 4, 30)], ids=["sat", "sun", "30-4"]
)
def test_no_digest_on_a_day_off(hiephoa_assignment, people, day):
    prefer(people.officer, ["inbox"], digest=True)

    services.digests_record(now=at(day.year, day.month, day.day, 7, 30))

    assert not ReminderLedger.objects.filter(kind="digest").exists()


# --- delivery ---------------------------------------------------------------------------


def test_reminder_deliver_is_idempotent(hiephoa_assignment, people):
    prefer(people.officer, ["inbox"])
    services.reminder_sweep(now=at(2026, 4, 22))
    row = ReminderLedger.objects.get(recipient=people.officer)

    assert services.reminder_deliver(ledger_id=row.pk, now=at(2026, 4, 22, 7, 31)) == SENT
    assert services.reminder_deliver(ledger_id=row.pk, now=at(2026, 4, 22, 7, 32)) == SENT

    row.refresh_from_db()
    assert (row.state, row.attempts, row.sent_at) == (SENT, 1, at(2026, 4, 22, 7, 31))
    assert list(
        Notification.objects.filter(user=people.officer).values_list("dedup_key", flat=True)
    ) == [f"ledger:{row.pk}"]


def test_an_inbox_batch_sends_each_row_once_and_leaves_other_channels_alone(
    hiephoa_assignment, people
):
    services.reminder_sweep(now=at(2026, 4, 22))  # the unit's 3 members, inbox and e-mail
    ids = list(ReminderLedger.objects.order_by("id").values_list("pk", flat=True))
    inbox = set(ReminderLedger.objects.filter(channel="inbox").values_list("pk", flat=True))
    first, again = at(2026, 4, 22, 7, 31), at(2026, 4, 22, 7, 32)

    assert services.reminder_deliver_inbox(ledger_ids=ids, now=first) == {SENT: 3}
    assert services.reminder_deliver_inbox(ledger_ids=ids, now=again) == {}

    assert rows() == sorted(
        [
            *unit_rows("before_7", channels=("email",)),
            *unit_rows("before_7", state=SENT, channels=("inbox",)),
        ]
    )
    sent = ReminderLedger.objects.filter(state=SENT)
    assert {(r.attempts, r.sent_at, r.next_attempt_at) for r in sent} == {(1, first, None)}
    messages = Notification.objects.order_by("dedup_key")
    assert sorted(messages.values_list("dedup_key", flat=True)) == sorted(
        f"ledger:{pk}" for pk in inbox
    )
    assert {m.title for m in messages} == {
        f"Sắp đến hạn: ({hiephoa_assignment.directive.label}) {hiephoa_assignment.directive.title}"
    }
    assert sorted(
        ChangeLog.objects.filter(kind="notification").values_list("object_id", "user_id")
    ) == sorted(messages.values_list("pk", "user_id"))


def test_an_inbox_batch_costs_the_same_statements_for_3_and_for_30_rows(
    org, people, directive, django_assert_num_queries
):
    for person in (people.head, people.deputy_head, people.officer):
        prefer(person, ["inbox"])
    _bulk_assignments(directive, org.hiephoa, 11, next_at=at(2026, 4, 22))
    services.reminder_sweep(now=at(2026, 4, 22))
    ids = list(ReminderLedger.objects.order_by("id").values_list("pk", flat=True))
    assert len(ids) == 33

    # A savepoint and its release; lock the rows with their assignments,
    # directives, units and recipients; the messages already stored; insert the
    # messages; the change-log rows (after reading the transaction id on
    # PostgreSQL); mark the rows sent.
    statements = 7 + (connection.vendor == "postgresql")
    with django_assert_num_queries(statements):
        services.reminder_deliver_inbox(ledger_ids=ids[:3], now=at(2026, 4, 22, 7, 31))
    with django_assert_num_queries(statements):
        services.reminder_deliver_inbox(ledger_ids=ids[3:], now=at(2026, 4, 22, 7, 31))
    assert Notification.objects.count() == 33


def test_the_hand_off_to_workers_delivers_everything_once_even_if_run_twice(
    hiephoa_assignment, django_capture_on_commit_callbacks
):
    # Eager Celery: the task runs in this process when the transaction "commits".
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.reminder_sweep(now=at(2026, 4, 22))

    assert result.enqueued == 6
    assert set(ReminderLedger.objects.values_list("state", flat=True)) == {SENT}
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3

    for callback in callbacks:  # the broker redelivers every task
        callback()
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3


def test_a_transient_failure_is_retried_with_growing_backoff_then_fails(
    hiephoa_assignment, people, reminder_settings
):
    reminder_settings.REMINDER_MAX_ATTEMPTS = 3
    prefer(people.officer, ["inbox"])
    services.reminder_sweep(now=at(2026, 4, 22))
    row = ReminderLedger.objects.get(recipient=people.officer)
    t0 = at(2026, 4, 22, 7, 31)

    with mock.patch(
        "reminders.services.delivery.deliver", side_effect=DeliveryError("SMTP 451 try later")
    ) as send:
        assert services.reminder_deliver(ledger_id=row.pk, now=t0) == PENDING
        row.refresh_from_db()
        first_wait = row.next_attempt_at - t0
        assert (row.attempts, row.last_error) == (1, "SMTP 451 try later")

        # Not handed out again before its time.
        with mock.patch("reminders.tasks.deliver_reminder.delay") as delay:
            assert services.enqueue_pending(now=t0 + first_wait - timedelta(seconds=1)) == 0
        t1 = row.next_attempt_at
        assert services.enqueue_pending(now=t1) == 1

        assert services.reminder_deliver(ledger_id=row.pk, now=t1) == PENDING
        row.refresh_from_db()
        second_wait = row.next_attempt_at - t1
        assert second_wait > first_wait > timedelta(0)

        assert services.reminder_deliver(ledger_id=row.pk, now=row.next_attempt_at) == FAILED
        assert send.call_count == 3
    delay.assert_not_called()
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at, row.last_error) == (
        FAILED,
        3,
        None,
        "SMTP 451 try later",
    )
    assert services.reminder_deliver(ledger_id=row.pk, now=at(2026, 4, 23)) == FAILED


def test_a_permanent_failure_fails_at_once(hiephoa_assignment, people):
    prefer(people.officer, ["email"])
    people.officer.email = ""
    people.officer.save(update_fields=["email"])
    services.reminder_sweep(now=at(2026, 4, 22))
    row = ReminderLedger.objects.get(recipient=people.officer)

    assert services.reminder_deliver(ledger_id=row.pk, now=at(2026, 4, 22, 7, 31)) == FAILED

    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (1, None)
    assert "no e-mail address" in row.last_error


class HandOut:
    """Stands in for both delivery tasks' `delay`: which rows went out, in which tasks."""

    def __init__(self) -> None:
        self.single: list[int] = []
        self.batches: list[list[int]] = []

    @property
    def ids(self) -> list[int]:
        return sorted([*self.single, *(pk for batch in self.batches for pk in batch)])

    def __enter__(self):
        self._patches = [
            mock.patch("reminders.tasks.deliver_reminder.delay", side_effect=self.single.append),
            mock.patch(
                "reminders.tasks.deliver_inbox_reminders.delay", side_effect=self.batches.append
            ),
        ]
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc_info) -> None:
        for patch in self._patches:
            patch.stop()


def test_a_pending_row_whose_lease_ran_out_is_handed_out_again_and_a_leased_one_is_not(
    hiephoa_assignment, people, reminder_settings, django_capture_on_commit_callbacks
):
    reminder_settings.REMINDER_DELIVERY_LEASE_SECONDS = 120
    prefer(people.officer, ["inbox"])
    t0 = at(2026, 4, 22)
    with django_capture_on_commit_callbacks() as first:
        services.reminder_sweep(now=t0)
    row = ReminderLedger.objects.get(recipient=people.officer)
    assert row.next_attempt_at == t0 + timedelta(seconds=120)  # leased
    assert len(first) == 1  # the hand-off, which the worker never confirms

    with HandOut() as handed:
        with django_capture_on_commit_callbacks(execute=True):
            still_leased = services.reminder_sweep(now=t0 + timedelta(seconds=119))
        assert still_leased.enqueued == 0
        assert handed.ids == []

        ids = list(ReminderLedger.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            expired = services.reminder_sweep(now=t0 + timedelta(seconds=120))
        assert expired.enqueued == len(ids) == 5
        assert handed.ids == sorted(ids)
        inbox = set(ReminderLedger.objects.filter(channel="inbox").values_list("pk", flat=True))
        assert handed.batches == [sorted(inbox)]  # the inbox rows in one task
        assert set(handed.single) == set(ids) - inbox  # the e-mails, one task each

    row.refresh_from_db()
    assert row.next_attempt_at == t0 + timedelta(seconds=240)  # leased again


def test_a_sweep_hands_out_the_rows_it_recorded_and_not_one_another_sweep_recorded_first(
    hiephoa_assignment, people, reminder_settings, django_capture_on_commit_callbacks
):
    reminder_settings.REMINDER_DELIVERY_LEASE_SECONDS = 120
    prefer(people.officer, ["inbox"])
    t0 = at(2026, 4, 22)
    # Another beat recorded the officer's row a moment ago and leased it: this
    # sweep meets its key, records nothing for it and must not hand it out.
    theirs = ReminderLedger.objects.create(
        key=services.ledger_key(
            assignment_id=hiephoa_assignment.pk,
            kind="before_7",
            deadline=DEADLINE,
            recipient_id=people.officer.pk,
            channel="inbox",
        ),
        assignment=hiephoa_assignment,
        kind="before_7",
        deadline=DEADLINE,
        recipient=people.officer,
        channel="inbox",
        due_at=t0,
        next_attempt_at=t0 + timedelta(seconds=60),
        created_at=t0,
    )

    with HandOut() as handed, django_capture_on_commit_callbacks(execute=True):
        result = services.reminder_sweep(now=t0)

    mine = ReminderLedger.objects.exclude(pk=theirs.pk)
    assert mine.count() == 4  # the head's and the deputy's inbox and e-mail
    assert result.enqueued == 4
    assert handed.ids == sorted(mine.values_list("pk", flat=True))
    assert handed.batches == [sorted(mine.filter(channel="inbox").values_list("pk", flat=True))]
    # Written leased: no later hand-out in the lease takes them again.
    assert set(mine.values_list("state", "next_attempt_at")) == {
        (PENDING, t0 + timedelta(seconds=120))
    }
    theirs.refresh_from_db()
    assert (theirs.state, theirs.next_attempt_at) == (PENDING, t0 + timedelta(seconds=60))


def test_a_backlog_goes_out_in_one_sweep_in_inbox_batches(
    org, people, directive, reminder_settings, django_capture_on_commit_callbacks
):
    reminder_settings.REMINDER_INBOX_BATCH = 7
    for person in (people.head, people.deputy_head, people.officer):
        prefer(person, ["inbox"])
    _bulk_assignments(directive, org.hiephoa, 30, next_at=at(2026, 4, 22))
    now = at(2026, 4, 22)
    with django_capture_on_commit_callbacks():  # recorded; its hand-out never runs
        services.reminder_sweep(now=now)
    pending = ReminderLedger.objects.filter(state=PENDING)
    assert pending.count() == 90  # 30 assignments × the unit's 3 members
    pending.update(next_attempt_at=now)  # as if the lease ran out

    with (
        mock.patch.object(handout, "_hand_out", wraps=handout._hand_out) as calls,
        HandOut() as handed,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.enqueue_all_pending(now=now, limit=20) == 90

    assert calls.call_count == 5  # 20 + 20 + 20 + 20 + 10: it went on past each full call
    assert handed.ids == sorted(pending.values_list("pk", flat=True))  # every row, once
    assert handed.single == []
    assert [len(batch) for batch in handed.batches] == [7, 7, 6] * 4 + [7, 3]


# --- no long ETAs, and a sweep's cost ------------------------------------------------------


def _bulk_assignments(directive, unit, n: int, *, next_at, due=DEADLINE) -> list[Assignment]:
    """`n` assignments of one directive (one per period, as a recurring directive has)."""
    assignments = Assignment.objects.bulk_create(
        Assignment(
            directive=directive,
            unit=unit,
            role=AssignmentRole.LEAD,
            period_start=date(2030, 1, 1) + timedelta(days=i),
            original_due_date=due,
            due_date=due,
            assigned_by=None,
            assigned_at=ASSIGNED_AT,
        )
        for i in range(n)
    )
    schedule_reminders(assignments, next_at)
    return assignments


def test_slow_channel_rows_far_back_in_a_hand_out_get_longer_leases(
    org, people, directive, reminder_settings, django_capture_on_commit_callbacks
):
    reminder_settings.REMINDER_DELIVERY_LEASE_SECONDS = 120
    reminder_settings.REMINDER_SLOW_DELIVERY_SECONDS = 1.0
    for person in (people.head, people.deputy_head, people.officer):
        prefer(person, ["email"])
    _bulk_assignments(directive, org.hiephoa, 84, next_at=at(2026, 4, 22))
    t0 = at(2026, 4, 22)
    with django_capture_on_commit_callbacks():  # handed out; never delivered
        services.reminder_sweep(now=t0)

    # 252 e-mails: the first 100 leased for 120 s, the next 100 for 100 × 1 s
    # more, the last 52 for 200 s more.
    leases = Counter(ReminderLedger.objects.values_list("next_attempt_at", flat=True))
    assert leases == {
        t0 + timedelta(seconds=120): 100,
        t0 + timedelta(seconds=220): 100,
        t0 + timedelta(seconds=320): 52,
    }
    with HandOut() as handed, django_capture_on_commit_callbacks(execute=True):
        assert services.reminder_sweep(now=t0 + timedelta(seconds=150)).enqueued == 100
    assert len(handed.single) == 100  # only the rows whose lease ran out


def test_nothing_is_scheduled_with_an_eta_or_a_countdown(
    org, people, directive, django_capture_on_commit_callbacks
):
    prefer(people.officer, ["inbox", "email"], digest=True)
    _bulk_assignments(directive, org.hiephoa, 40, next_at=at(2026, 4, 22))
    calls = []
    original = Task.apply_async

    def record(task, args=None, kwargs=None, **options):
        calls.append((task.name, options))
        return original(task, args, kwargs, **options)

    t1 = at(2026, 5, 12)
    with mock.patch.object(Task, "apply_async", autospec=True, side_effect=record):
        # Every e-mail fails for a while: the task does not retry itself later,
        # the row waits in the ledger for a sweep.
        with (
            mock.patch("reminders.services.delivery.deliver", side_effect=DeliveryError("busy")),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.reminder_sweep(now=t1)
        pending = ReminderLedger.objects.filter(state=PENDING)
        # The inbox half went out 100 rows to a task and was stored; the e-mails,
        # one row to a task, failed and wait.
        assert pending.count() == 40 * 4 == ReminderLedger.objects.filter(state=SENT).count()
        assert len(calls) == 2 + 40 * 4
        pending.update(next_attempt_at=t1)  # their backoff has passed
        with django_capture_on_commit_callbacks(execute=True):
            services.reminder_sweep(now=t1 + timedelta(minutes=30))
        with django_capture_on_commit_callbacks(execute=True):
            services.digests_record(now=t1 + timedelta(minutes=30))

    assert set(ReminderLedger.objects.values_list("state", flat=True)) == {SENT, SKIPPED}
    assert len(calls) == 2 + 40 * 4 * 2 + 2  # the digest: the officer's inbox and e-mail
    assert {name for name, _options in calls} == {"reminders.deliver", "reminders.deliver_inbox"}
    timed = [(name, o) for name, o in calls if o.get("eta") is not None or o.get("countdown")]
    assert timed == []


APP_PACKAGES = ("thads", "units", "directives", "notifications", "reminders")
TIMED_CALL = re.compile(r"\b(countdown|eta)\s*=|\.retry\(|retry_backoff|default_retry_delay")


def test_no_application_code_schedules_a_task_for_later():
    root = Path(__file__).resolve().parents[2]
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for package in APP_PACKAGES
        for path in sorted((root / package).rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TIMED_CALL.search(line)
    ]

    assert found == []


def _sweep_queries(now) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        result = services.reminder_sweep(now=now)
    assert result.enqueued > 0
    return [query["sql"] for query in queries.captured_queries]


def _ledger_inserts(sql: list[str]) -> int:
    return sum(
        1 for statement in sql if re.match(r'INSERT .*"reminders_reminderledger"', statement)
    )


def _shape(sql: list[str]) -> list[str]:
    """The statements with their values and repeats of the ledger insert left out."""
    shape = []
    for statement in sql:
        head = re.sub(r'"s\d+_x\d+"', "sp", statement.split(" WHERE ")[0])[:80]
        if not (shape and head == shape[-1] and head.startswith("INSERT")):
            shape.append(head)
    return shape


@pytest.mark.parametrize("batch", [1, 1000])
def test_deadlines_far_apart_in_one_sweep_get_the_points_of_the_full_calendar(
    org, people, reminder_settings, batch
):
    """The sweep's working-day table is built over the first batch's deadlines and
    widened for later ones; across Tết and 30/4–1/5 its points are the calendar's."""
    from directives.reminder_points import PolicyRules, configured_window, due_points
    from units.calendar import load_calendar

    reminder_settings.REMINDER_SWEEP_BATCH = batch
    now = at(2026, 5, 7, 9, 0)
    deadlines = [date(2024, 11, 20), date(2026, 2, 13), DEADLINE, date(2026, 9, 1)]
    since = at(2024, 1, 2)
    made = [
        _bulk_assignments(DirectiveFactory(), org.hiephoa, 1, next_at=since, due=deadline)[0]
        for deadline in deadlines
    ]

    services.reminder_sweep(now=now)

    calendar = load_calendar(date(2023, 1, 1), date(2027, 12, 31))
    for assignment, deadline in zip(made, deadlines, strict=True):
        send, next_at = due_points(
            deadline=deadline,
            rules=PolicyRules.of(ReminderPolicy(is_default=True)),
            calendar=calendar,
            window=configured_window(),
            since=since,
            now=now,
        )
        recorded = set(
            ReminderLedger.objects.filter(assignment=assignment).values_list("kind", "due_at")
        )
        assert recorded == {(point.kind, point.at) for point in send}, deadline
        assignment.refresh_from_db()
        assert assignment.next_reminder_at == next_at


def test_a_sweep_costs_the_same_queries_for_5_and_for_50_due_assignments(
    org, people, django_assert_num_queries
):
    few = _bulk_assignments(DirectiveFactory(), org.hiephoa, 5, next_at=at(2026, 4, 22))
    many = _bulk_assignments(DirectiveFactory(), org.hiephoa, 50, next_at=None)

    # The sweep's working-day table (one calendar query); in one savepoint: lock
    # the due assignments, the policies, the units' members, the leadership, the
    # recipients with their devices and webhooks, insert the ledger rows (leased,
    # handed out when the savepoint's transaction commits), move next_reminder_at;
    # in another: look for other pending rows whose time has come (none here).
    # Nothing per assignment.
    with django_assert_num_queries(15):
        services.reminder_sweep(now=at(2026, 4, 22))
    schedule_reminders(few, at(2026, 4, 22))
    ReminderLedger.objects.all().delete()
    for_5 = _sweep_queries(at(2026, 4, 22))
    assert ReminderLedger.objects.count() == 5 * 6

    schedule_reminders(few, None)
    schedule_reminders(many, at(2026, 4, 22))
    for_50 = _sweep_queries(at(2026, 4, 22))
    assert ReminderLedger.objects.count() == 55 * 6

    # The same statements; only the ledger insert may be split in batches, and
    # only by the database's limit on parameters per statement (SQLite: 999, so
    # 71 rows of the 14 columns a sweep writes), never per assignment. PostgreSQL
    # inserts a batch in one statement: the integration tier checks the counts
    # are equal there.
    assert _shape(for_50) == _shape(for_5)
    columns = len(services.LEDGER_COLUMNS) + 3  # and attempts, last_error, created_at
    assert columns == 14
    if connection.vendor == "postgresql":
        per_statement = 50 * 6
    else:
        per_statement = connection.features.max_query_params // columns
    assert _ledger_inserts(for_5) == 1
    assert _ledger_inserts(for_50) == -(-50 * 6 // per_statement)
    assert len(for_50) - len(for_5) == _ledger_inserts(for_50) - 1


# --- leadership's view of the ledger ------------------------------------------------------


@pytest.fixture
def recorded(hiephoa_assignment, people):
    prefer(people.officer, ["inbox"])
    prefer(people.deputy_head, [])
    services.reminder_sweep(now=at(2026, 4, 22))  # head: inbox + email; officer: inbox
    officer_row = ReminderLedger.objects.get(recipient=people.officer)
    services.reminder_deliver(ledger_id=officer_row.pk, now=at(2026, 4, 22, 7, 31))
    with mock.patch(
        "reminders.services.delivery.deliver", side_effect=DeliveryError("x", permanent=True)
    ):
        head_email = ReminderLedger.objects.get(recipient=people.head, channel="email")
        services.reminder_deliver(ledger_id=head_email.pk, now=at(2026, 4, 22, 7, 31))
    return hiephoa_assignment


def _listed(client, query: str = "") -> list[tuple[str, str, str, str]]:
    response = client.get(f"{API}/reminders/{query}")
    assert response.status_code == 200, response.content
    return sorted(
        (r["kind"], r["recipient"], r["channel"], r["state"]) for r in response.json()["results"]
    )


def test_leadership_reads_the_ledger_with_filters(recorded, client_for, people):
    director = client_for(people.director)

    assert _listed(director) == [
        ("before_7", "hiephoa.head", "email", FAILED),
        ("before_7", "hiephoa.head", "inbox", PENDING),
        ("before_7", "hiephoa.officer", "inbox", SENT),
    ]
    assert _listed(director, "?state=sent") == [("before_7", "hiephoa.officer", "inbox", SENT)]
    assert _listed(director, "?channel=email") == [("before_7", "hiephoa.head", "email", FAILED)]
    assert len(_listed(director, "?kind=before_7")) == 3
    assert _listed(director, "?kind=due") == []
    assert len(_listed(client_for(people.office_staff))) == 3
    row = client_for(people.director).get(f"{API}/reminders/?state=failed").json()["results"][0]
    assert (row["last_error"], row["attempts"], row["deadline"]) == ("x", 1, "2026-05-06")


def test_leadership_reads_the_ledger_summary(recorded, client_for, people):
    response = client_for(people.deputy_director).get(f"{API}/reminders/summary/")

    assert response.status_code == 200
    assert response.json() == {
        "states": {"sent": {"inbox": 1}, "pending": {"inbox": 1}, "failed": {"email": 1}}
    }


@pytest.mark.parametrize("who", ["officer", "head"])
@pytest.mark.parametrize("path", ["", "summary/"])
def test_the_ledger_is_closed_to_units(recorded, client_for, people, who, path):
    response = client_for(getattr(people, who)).get(f"{API}/reminders/{path}")

    assert response.status_code == 403


def test_an_unknown_ledger_filter_value_is_refused(recorded, client_for, people):
    response = client_for(people.director).get(f"{API}/reminders/?state=lost")

    assert response.status_code == 400


def test_reminders_status_prints_counts_per_state(recorded):
    out = StringIO()

    call_command("reminders_status", stdout=out)

    lines = out.getvalue().splitlines()
    counts = {line.split()[0]: line.split()[1] for line in lines[:4]}
    assert counts == {"pending": "1", "sent": "1", "failed": "1", "skipped": "0"}
    assert "failed #" in out.getvalue()


def test_reminders_status_on_an_empty_ledger(db):
    out = StringIO()

    call_command("reminders_status", stdout=out)

    assert out.getvalue().startswith("The ledger is empty.")


# --- reminder policies through the API ------------------------------------------------------


def _policy(client, **body):
    return client.post(f"{API}/reminder-policies/", body, format="json")


def _kinds_over(assignment, first: date, last: date) -> set[str]:
    day = first
    while day <= last:
        services.reminder_sweep(now=at(day.year, day.month, day.day))
        day += timedelta(days=1)
    return set(kinds(assignment=assignment))


def rewind(assignment: Assignment) -> None:
    """Recompute the assignment's next reminder as of the day it was assigned: the
    policy endpoint has no `now=`, and its real today is past these deadlines."""
    assignment.refresh_from_db()
    moved = assignment.next_reminder_at
    assert moved is not None and moved >= timezone.now() - timedelta(days=1)
    directive_services.set_next_reminder(
        assignment, directive_services.next_reminder_at(assignment, after=ASSIGNED_AT)
    )


def test_a_directives_own_policy_changes_its_points(hiephoa_assignment, client_for, people):
    response = _policy(
        client_for(people.director),
        directive=hiephoa_assignment.directive_id,
        before_working_days=[2],
        escalate_to_head=False,
    )

    assert response.status_code == 200, response.content
    # The API runs on the real clock; the points are checked from the day assigned.
    rewind(hiephoa_assignment)
    # 2 working days before Wednesday 6/5 is Monday 4/5.
    assert hiephoa_assignment.next_reminder_at == at(2026, 5, 4)
    assert _kinds_over(hiephoa_assignment, date(2026, 4, 21), date(2026, 5, 7)) == {
        "before_2",
        "due",
        "overdue_1",
    }


def test_a_documents_policy_applies_unless_the_directive_has_its_own(
    org, people, document, client_for
):
    own, inherits = DirectiveFactory(document=document), DirectiveFactory(document=document)
    a_own = assign_one(
        actor=people.director, unit=org.hiephoa, directive=own, due_date=DEADLINE, now=ASSIGNED_AT
    )
    a_inherits = assign_one(
        actor=people.director,
        unit=org.hiephoa,
        directive=inherits,
        due_date=DEADLINE,
        now=ASSIGNED_AT,
    )
    director = client_for(people.director)

    assert _policy(director, document=document.pk, before_working_days=[5]).status_code == 200
    assert _policy(director, directive=own.pk, before_working_days=[2]).status_code == 200

    rewind(a_own)
    rewind(a_inherits)
    assert a_own.next_reminder_at == at(2026, 5, 4)  # 2 before
    # 5 working days before 6/5: 5/5, 4/5, 29/4, 28/4, (27/4 given back for Giỗ Tổ) 24/4.
    assert a_inherits.next_reminder_at == at(2026, 4, 24)
    assert _kinds_over(a_inherits, date(2026, 4, 21), date(2026, 5, 6)) == {"before_5", "due"}


@pytest.mark.parametrize(
    "body",
    [
        {"before_working_days": [-1]},
        {"before_working_days": [0]},
        {"before_working_days": [61]},
        {"overdue_every_days": 0},
        {"before_working_days": "7,3,1"},
        {"document": "__document__", "directive": "__directive__", "before_working_days": [2]},
    ],
    ids=["negative", "zero", "too-far", "no-repeat", "not-a-list", "both-scopes"],
)
def test_a_bad_policy_is_refused_with_400_and_changes_nothing(
    hiephoa_assignment, client_for, people, document, body
):
    body = {
        key: {"__document__": document.pk, "__directive__": hiephoa_assignment.directive_id}.get(
            value, value
        )
        if isinstance(value, str)
        else value
        for key, value in body.items()
    }
    before = hiephoa_assignment.next_reminder_at

    response = _policy(client_for(people.director), **body)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    hiephoa_assignment.refresh_from_db()
    assert hiephoa_assignment.next_reminder_at == before


def test_units_may_not_set_policies(hiephoa_assignment, client_for, people):
    response = _policy(
        client_for(people.head), directive=hiephoa_assignment.directive_id, before_working_days=[2]
    )

    assert response.status_code == 403


def test_without_a_stored_default_policy_the_design_default_still_applies(org, director, directive):
    ReminderPolicy.objects.filter(is_default=True).delete()

    assignment = assign_one(
        actor=director, unit=org.hiephoa, directive=directive, due_date=DEADLINE, now=ASSIGNED_AT
    )

    assert assignment.next_reminder_at == at(2026, 4, 22)  # before_7, not the due day


# --- the inbox API -------------------------------------------------------------------------


@pytest.fixture
def inboxes(people):
    def note(user, title, *, read=False):
        return Notification.objects.create(
            user=user,
            title=title,
            created_at=at(2026, 4, 22),
            read_at=at(2026, 4, 22, 8, 0) if read else None,
        )

    return {
        "mine": [
            note(people.officer, "Một"),
            note(people.officer, "Hai", read=True),
            note(people.officer, "Ba"),
        ],
        "theirs": note(people.other_officer, "Của người khác"),
    }


def test_the_inbox_lists_only_the_callers_messages_newest_first(inboxes, client_for, people):
    client = client_for(people.officer)

    listed = client.get(f"{API}/notifications/").json()["results"]
    unread = client.get(f"{API}/notifications/?unread=true").json()["results"]

    assert [n["title"] for n in listed] == ["Ba", "Hai", "Một"]
    assert [(n["title"], n["is_read"]) for n in unread] == [("Ba", False), ("Một", False)]
    assert client.get(f"{API}/notifications/unread-count/").json() == {"unread": 2}


def test_marking_one_message_read_and_then_all(inboxes, client_for, people):
    client = client_for(people.officer)
    first = inboxes["mine"][0]

    response = client.post(f"{API}/notifications/{first.pk}/read/")

    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert client.get(f"{API}/notifications/unread-count/").json() == {"unread": 1}
    assert client.post(f"{API}/notifications/read-all/").json() == {"unread": 0}
    assert client.get(f"{API}/notifications/unread-count/").json() == {"unread": 0}
    # Someone else's inbox is untouched.
    inboxes["theirs"].refresh_from_db()
    assert inboxes["theirs"].read_at is None


def test_another_users_message_is_not_found(inboxes, client_for, people):
    client = client_for(people.officer)
    theirs = inboxes["theirs"].pk

    assert client.post(f"{API}/notifications/{theirs}/read/").status_code == 404
    assert client.get(f"{API}/notifications/{theirs}/").status_code == 404
    inboxes["theirs"].refresh_from_db()
    assert inboxes["theirs"].read_at is None


def test_the_inbox_needs_a_signed_in_user(client_for):
    assert client_for(None).get(f"{API}/notifications/").status_code == 401


# --- channel settings -----------------------------------------------------------------------


def test_notification_settings_default_and_update(client_for, people, hiephoa_assignment):
    client = client_for(people.officer)

    assert client.get(f"{API}/me/notification-settings/").json() == {
        "channels": ["inbox", "email"],
        "digest": False,
    }
    response = client.put(
        f"{API}/me/notification-settings/",
        {"channels": ["inbox", "inbox"], "digest": True},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"channels": ["inbox"], "digest": True}
    assert client.get(f"{API}/me/notification-settings/").json() == response.json()

    # The sweep follows the setting.
    services.reminder_sweep(now=at(2026, 4, 22))
    assert rows(recipient=people.officer) == [("before_7", "hiephoa.officer", "inbox", SKIPPED)]


@pytest.mark.parametrize(
    "body",
    [
        {"channels": ["sms"], "digest": False},
        {"channels": "inbox", "digest": False},
        {"channels": ["inbox"]},
    ],
    ids=["unknown-channel", "not-a-list", "no-digest"],
)
def test_bad_notification_settings_are_refused(client_for, people, body):
    client = client_for(people.officer)

    response = client.put(f"{API}/me/notification-settings/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert client.get(f"{API}/me/notification-settings/").json()["channels"] == ["inbox", "email"]


def test_a_unit_of_one_officer_gets_reminders_for_its_own_work(people, directive):
    # A unit without a head: the escalation has nobody to go to and is not recorded.
    unit = OrgUnitFactory(code="CC-TEST", name="Chi cục thử")
    lone = member(unit, Role.OFFICER, username="lone")
    assign_one(
        actor=people.director, unit=unit, directive=directive, due_date=DEADLINE, now=ASSIGNED_AT
    )

    services.reminder_sweep(now=at(2026, 5, 7))

    assert rows() == [
        ("overdue_1", "lone", "email", PENDING),
        ("overdue_1", "lone", "inbox", PENDING),
    ]
    assert lone.is_active
