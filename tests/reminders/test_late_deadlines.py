"""Deadlines set when some of their reminder points have already passed (issue 9,
point 1): an assignment created with a deadline of today or in the past, and a
deadline moved (by leadership, or an approved extension) to a date already
passed. The latest due point of each series is sent once, and later sweeps do
not repeat it.

Thursday 7/5/2026 is "today"; Wednesday 6/5 is "yesterday" (both working days).
"""

from datetime import date

import pytest

from directives import services as directive_services
from notifications.models import Notification
from reminders import services
from reminders.models import ReminderLedger
from tests.directives.factories import DirectiveFactory, assign_one, request_extension
from tests.reminders.helpers import at

TODAY, YESTERDAY = date(2026, 5, 7), date(2026, 5, 6)
NOW = at(2026, 5, 7, 10, 0)  # inside the sending window, well after its 07:30 opening


def recorded(username: str) -> set[str]:
    """The reminder kinds recorded for one user (any channel, any state)."""
    return set(
        ReminderLedger.objects.filter(recipient__username=username).values_list("kind", flat=True)
    )


def assign_hiephoa(people, org, directive, due: date, now):
    return assign_one(
        actor=people.director, unit=org.hiephoa, directive=directive, due_date=due, now=now
    )


@pytest.fixture
def late(org, people, document):
    """Hiệp Hòa's work due yesterday and Yên Thế's due today, both assigned now."""
    hiephoa = assign_one(
        actor=people.director,
        unit=org.hiephoa,
        directive=DirectiveFactory(document=document),
        due_date=YESTERDAY,
        now=NOW,
    )
    yenthe = assign_one(
        actor=people.director,
        unit=org.yenthe,
        directive=DirectiveFactory(document=document),
        due_date=TODAY,
        now=NOW,
    )
    return hiephoa, yenthe


def test_work_assigned_already_due_gets_the_latest_point_of_each_series_once(late):
    services.reminder_sweep(now=at(2026, 5, 7, 10, 2))

    # One reminder each (one row per channel: inbox and e-mail by default).
    assert recorded("hiephoa.officer") == {"overdue_1"}
    assert recorded("yenthe.officer") == {"due"}
    assert ReminderLedger.objects.filter(recipient__username="hiephoa.officer").count() == 2
    assert ReminderLedger.objects.filter(recipient__username="yenthe.officer").count() == 2
    # The head of the late unit hears of the escalation; leadership not yet (7 days).
    assert "escalation_head" in recorded("hiephoa.head")
    assert not recorded("director")

    # Later sweeps the same day repeat nothing.
    count = ReminderLedger.objects.count()
    for hour in (11, 14, 16):
        again = services.reminder_sweep(now=at(2026, 5, 7, hour, 0))
        assert again.recorded == 0
    assert ReminderLedger.objects.count() == count

    # The next working day brings only new points (Yên Thế's work is now overdue;
    # Yên Thế has no head here to escalate to), never one already recorded.
    before = set(ReminderLedger.objects.values_list("key", flat=True))
    services.reminder_sweep(now=at(2026, 5, 8, 7, 30))
    new = ReminderLedger.objects.exclude(key__in=before)
    assert set(new.values_list("assignment_id", "kind")) == {(late[1].pk, "overdue_1")}


def test_work_assigned_long_overdue_gets_one_overdue_reminder_and_both_escalations(
    org, people, directive
):
    assign_hiephoa(people, org, directive, date(2026, 4, 20), NOW)

    services.reminder_sweep(now=at(2026, 5, 7, 10, 2))

    # overdue_1 … overdue_n have all passed: only the latest goes out.
    officer = recorded("hiephoa.officer")
    assert len(officer) == 1 and officer.pop().startswith("overdue_")
    assert recorded("director") == {"escalation_leadership"}


def test_a_deadline_moved_by_leadership_to_a_past_date_is_reminded(org, people, directive):
    assignment = assign_hiephoa(people, org, directive, date(2026, 6, 30), at(2026, 5, 4, 9, 0))
    services.reminder_sweep(now=at(2026, 5, 7, 9, 0))
    assert not ReminderLedger.objects.exists()  # nothing due yet about 30/6

    directive_services.assignment_update(
        actor=people.director, assignment=assignment, due_date=YESTERDAY, now=NOW
    )
    services.reminder_sweep(now=at(2026, 5, 7, 10, 2))
    services.reminder_sweep(now=at(2026, 5, 7, 15, 0))

    assert recorded("hiephoa.officer") == {"overdue_1"}
    assert ReminderLedger.objects.filter(recipient__username="hiephoa.officer").count() == 2
    assert set(ReminderLedger.objects.values_list("deadline", flat=True)) == {YESTERDAY}


def test_an_extension_approved_to_a_date_already_passed_is_reminded(org, people, directive):
    assignment = assign_hiephoa(people, org, directive, date(2026, 5, 4), at(2026, 4, 20, 9, 0))
    extension = request_extension(
        assignment, member=people.officer, requested=TODAY, now=at(2026, 4, 29, 9, 0)
    )
    directive_services.extension_approve(actor=people.director, extension=extension, now=NOW)

    services.reminder_sweep(now=at(2026, 5, 7, 10, 2))

    # The extension moved the deadline to today: today's reminder goes out now.
    assert recorded("hiephoa.officer") == {"due"}
    assert set(ReminderLedger.objects.values_list("deadline", flat=True)) == {TODAY}


def test_a_reminder_ahead_sent_days_after_its_point_does_not_count_stale_days(
    org, people, directive
):
    # Due Thursday 7/5, assigned Tuesday 5/5: "3 working days before" was Monday 4/5.
    assign_hiephoa(people, org, directive, TODAY, at(2026, 5, 5, 10, 0))
    services.reminder_sweep(now=at(2026, 5, 5, 10, 2))
    row = ReminderLedger.objects.get(recipient__username="hiephoa.officer", channel="inbox")
    assert row.kind == "before_3"

    services.reminder_deliver(ledger_id=row.pk, now=at(2026, 5, 5, 10, 3))

    message = Notification.objects.get(user__username="hiephoa.officer")
    assert (
        message.body
        == "Chi cục Thi hành án dân sự huyện Hiệp Hòa: nhiệm vụ đến hạn ngày 07/05/2026."
    )
