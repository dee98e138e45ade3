"""Leadership's and heads' sweep digest, and links people can open (issue 9,
point 4): the first sweep of a backlog sent one e-mail per assignment to the
director and the deputy. Now leadership and the unit's heads get one message per
sweep listing the assignments, and the unit's other members one per assignment;
every link is absolute, on PUBLIC_BASE_URL, and opens in a browser.

Wednesday 20/5/2026 10:00 is "now"; the work was due on Wednesday 6/5, so the
overdue reminder, the head's escalation and leadership's (7 days past) are due.
"""

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from directives import services as directive_services
from notifications.models import Notification
from reminders import services
from reminders.models import LedgerState, ReminderLedger
from tests.directives.factories import DirectiveFactory, assign_one
from tests.factories import PASSWORD, member
from tests.reminders.helpers import at, schedule_reminders
from tests.reminders.test_sweep import _bulk_assignments
from tests.thads.test_settings import ROOT, _clean_env
from units.models import Role

BASE = "https://thads.example.vn"
DUE = date(2026, 5, 6)
NOW = at(2026, 5, 20, 10, 0)
LEADERS = ("director", "deputy", "hiephoa.head", "hiephoa.deputy")


@pytest.fixture(autouse=True)
def digests_on(reminder_settings):
    reminder_settings.REMINDER_LEADERS_DIGEST = True
    return reminder_settings


def late_work(org, people, document, n: int, *, now=NOW):
    return [
        assign_one(
            actor=people.director,
            unit=org.hiephoa,
            directive=DirectiveFactory(document=document),
            due_date=DUE,
            now=now,
        )
        for _ in range(n)
    ]


def deliver_pending(now) -> None:
    for pk in ReminderLedger.objects.filter(state=LedgerState.PENDING).values_list("pk", flat=True):
        services.reminder_deliver(ledger_id=pk, now=now)


def links(text: str) -> list[str]:
    """The assignment detail links in `text`."""
    return re.findall(r"https://thads\.example\.vn/api/v1/assignments/\d+/", text)


def mails_per_user(people) -> Counter:
    address = {user.email: user.username for user in vars(people).values() if user.email}
    return Counter(address[message.to[0]] for message in mail.outbox)


def _settings_probe(**env: str):
    """The production settings read in a fresh interpreter (tests/thads/test_settings.py)."""
    probe = (
        "import json, thads.settings as s; "
        "print(json.dumps([s.REMINDER_LEADERS_DIGEST, s.PUBLIC_BASE_URL]))"
    )
    return subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=_clean_env(DJANGO_SECRET_KEY="x", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_leaders_digests_are_on_by_default_and_the_base_url_is_read_from_the_environment():
    default = _settings_probe()
    assert json.loads(default.stdout) == [True, "http://127.0.0.1:8000"]

    configured = _settings_probe(PUBLIC_BASE_URL="https://thads.bacgiang.example/chidao/")
    assert json.loads(configured.stdout) == [True, "https://thads.bacgiang.example/chidao"]


def test_a_public_base_url_without_a_scheme_stops_the_process():
    result = _settings_probe(PUBLIC_BASE_URL="thads.example.org")

    assert result.returncode != 0
    assert "PUBLIC_BASE_URL must start with http:// or https://" in result.stderr


def test_a_backlog_sends_leadership_and_heads_one_message_and_members_one_each(
    org, people, document
):
    work = late_work(org, people, document, 12)

    services.reminder_sweep(now=at(2026, 5, 20, 10, 2))
    deliver_pending(at(2026, 5, 20, 10, 3))

    sent = mails_per_user(people)
    assert {user: sent[user] for user in LEADERS} == dict.fromkeys(LEADERS, 1)
    assert sent["hiephoa.officer"] == 12  # the unit's member: one per assignment
    inbox = Counter(Notification.objects.values_list("user__username", flat=True))
    assert {user: inbox[user] for user in LEADERS} == dict.fromkeys(LEADERS, 1)
    assert inbox["hiephoa.officer"] == 12

    # The ledger keeps every reminder one by one, each pointing at its digest.
    director_items = ReminderLedger.objects.filter(
        recipient=people.director, kind="escalation_leadership"
    )
    assert director_items.count() == 12 * 2  # inbox and e-mail
    assert set(director_items.values_list("state", "reason")) == {
        (LedgerState.SKIPPED, "sweep digest")
    }
    digest = ReminderLedger.objects.get(
        recipient=people.director, channel="email", digest=None, assignment=None
    )
    assert digest.state == LedgerState.SENT
    assert digest.items.count() == 12

    director_mail = next(m for m in mail.outbox if m.to == [people.director.email])
    assert "12 nhiệm vụ" in director_mail.subject
    for assignment in work:
        assert f"{BASE}/api/v1/assignments/{assignment.pk}/" in director_mail.body
    assert "quá hạn, báo lãnh đạo Cục 06/05/2026" in director_mail.body
    html = director_mail.alternatives[0][0]
    assert f'<a href="{BASE}/api/v1/assignments/{work[0].pk}/"' in html  # clickable
    head_mail = next(m for m in mail.outbox if m.to == [people.head.email])
    # The head hears of the overdue reminder and the escalation once per assignment.
    assert len(links(head_mail.body)) == 12
    assert "quá hạn, báo trưởng đơn vị" in head_mail.body


def test_messages_are_written_in_the_sites_language_whatever_the_thread_had_active(
    org, people, document
):
    late_work(org, people, document, 1)
    services.reminder_sweep(now=at(2026, 5, 20, 10, 2))

    with translation.override("en"):  # a request in English served just before
        deliver_pending(at(2026, 5, 20, 10, 3))

    director_mail = next(m for m in mail.outbox if m.to == [people.director.email])
    assert "nhiệm vụ cần theo dõi" in director_mail.subject


def test_every_link_is_absolute_and_clickable_in_the_html_part(org, people, document):
    (assignment,) = late_work(org, people, document, 1)

    services.reminder_sweep(now=at(2026, 5, 20, 10, 2))
    deliver_pending(at(2026, 5, 20, 10, 3))

    link = f"{BASE}/api/v1/assignments/{assignment.pk}/"
    officer_mail = next(m for m in mail.outbox if m.to == [people.officer.email])
    html = officer_mail.alternatives[0][0]
    assert f'<a href="{link}">' in html
    assert f"{BASE}/api/v1/me/notification-settings/" in officer_mail.body
    assert Notification.objects.get(user=people.officer).url == link
    digest = Notification.objects.get(user=people.director)
    assert digest.url.startswith(f"{BASE}/api/v1/assignments/")
    assert link in digest.body


def test_a_later_sweep_sends_a_digest_of_its_own_items_and_repeats_nothing(org, people, document):
    late_work(org, people, document, 3)
    services.reminder_sweep(now=at(2026, 5, 20, 10, 2))
    deliver_pending(at(2026, 5, 20, 10, 3))
    services.reminder_sweep(now=at(2026, 5, 20, 11, 0))  # nothing new: nothing sent
    deliver_pending(at(2026, 5, 20, 11, 1))
    assert mails_per_user(people)["director"] == 1

    (late,) = late_work(org, people, document, 1, now=at(2026, 5, 20, 14, 0))
    services.reminder_sweep(now=at(2026, 5, 20, 14, 2))
    deliver_pending(at(2026, 5, 20, 14, 3))

    assert mails_per_user(people)["director"] == 2
    second = [m for m in mail.outbox if m.to == [people.director.email]][-1]
    assert links(second.body) == [f"{BASE}/api/v1/assignments/{late.pk}/"]


def test_a_digest_lists_only_work_still_open_and_is_skipped_when_none_is(org, people, document):
    first, second = late_work(org, people, document, 2)
    services.reminder_sweep(now=at(2026, 5, 20, 10, 2))
    directive_services.assignment_cancel(
        actor=people.director, assignment=first, reason="Trùng", now=at(2026, 5, 20, 10, 2, 30)
    )

    deliver_pending(at(2026, 5, 20, 10, 3))

    director_mail = next(m for m in mail.outbox if m.to == [people.director.email])
    assert f"/api/v1/assignments/{second.pk}/" in director_mail.body
    assert f"/api/v1/assignments/{first.pk}/" not in director_mail.body

    mail.outbox.clear()
    ReminderLedger.objects.filter(assignment=None).update(state=LedgerState.PENDING)
    directive_services.assignment_cancel(
        actor=people.director, assignment=second, reason="Trùng", now=at(2026, 5, 20, 10, 4)
    )
    deliver_pending(at(2026, 5, 20, 10, 5))

    assert mail.outbox == []
    assert set(ReminderLedger.objects.filter(assignment=None).values_list("state", "reason")) == {
        (LedgerState.SKIPPED, "work ended")
    }


def test_a_batch_of_inbox_rows_delivers_digests_too(org, people, document):
    late_work(org, people, document, 3)
    services.reminder_sweep(now=at(2026, 5, 20, 10, 2))
    inbox = list(
        ReminderLedger.objects.filter(state=LedgerState.PENDING, channel="inbox").values_list(
            "pk", flat=True
        )
    )

    services.reminder_deliver_inbox(ledger_ids=inbox, now=at(2026, 5, 20, 10, 3))

    digest = Notification.objects.get(user=people.deputy_director)
    assert digest.title == "Nhắc hạn ngày 20/05/2026: 3 nhiệm vụ cần theo dõi"
    assert digest.data["assignments"] == sorted(digest.data["assignments"])
    assert len(digest.data["assignments"]) == 3


def test_without_leaders_digests_everyone_gets_one_message_per_assignment(
    org, people, document, digests_on
):
    digests_on.REMINDER_LEADERS_DIGEST = False
    late_work(org, people, document, 3)

    services.reminder_sweep(now=at(2026, 5, 20, 10, 2))
    deliver_pending(at(2026, 5, 20, 10, 3))

    assert mails_per_user(people)["director"] == 3
    assert not ReminderLedger.objects.filter(assignment=None).exists()


def test_a_head_of_another_unit_is_not_a_digest_reader_for_this_one(org, people, document):
    # Yên Thế's head is neither leadership nor Hiệp Hòa's head: nothing about Hiệp Hòa.
    other_head = member(org.yenthe, Role.HEAD, username="yenthe.head")
    late_work(org, people, document, 2)

    services.reminder_sweep(now=at(2026, 5, 20, 10, 2))

    assert not ReminderLedger.objects.filter(recipient=other_head).exists()


# --- the link opens in a browser ------------------------------------------------------------


def test_a_reminder_link_opens_in_a_browser_after_signing_in(client, org, people, document):
    (assignment,) = late_work(org, people, document, 1)
    path = f"/api/v1/assignments/{assignment.pk}/"

    anonymous = client.get(path, HTTP_ACCEPT="text/html")
    assert anonymous.status_code in (401, 403)
    assert "/api-auth/login/" in anonymous.content.decode()

    signed_in = client.post(
        f"/api-auth/login/?next={path}",
        {"username": "hiephoa.officer", "password": PASSWORD, "next": path},
    )
    assert signed_in.status_code == 302, signed_in.content[:500]
    assert signed_in["Location"] == path

    page = client.get(path, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert assignment.directive.title in page.content.decode()


def test_the_browser_sign_in_is_throttled_like_the_token_endpoint(client, settings, people):
    from rest_framework.settings import api_settings

    rates = dict(api_settings.DEFAULT_THROTTLE_RATES)
    limit = int(rates["login_user"].split("/")[0])
    for _attempt in range(limit):
        response = client.post("/api-auth/login/", {"username": "director", "password": "x"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post("/api-auth/login/", {"username": "director", "password": "x"})

    assert response.status_code == 429
    assert "Retry-After" in response


def _sweep_statements(now) -> tuple[int, int]:
    """(ledger inserts, every other statement) of one sweep."""
    with CaptureQueriesContext(connection) as queries:
        services.reminder_sweep(now=now)
    sql = [query["sql"] for query in queries.captured_queries]
    inserts = sum(1 for s in sql if re.match(r'INSERT .*"reminders_reminderledger"', s))
    return inserts, len(sql) - inserts


def test_digests_cost_the_sweep_one_statement_whatever_the_number_of_assignments(
    org, people, directive
):
    few = _bulk_assignments(directive, org.hiephoa, 3, next_at=at(2026, 4, 22), due=DUE)
    many = _bulk_assignments(directive, org.yenthe, 30, next_at=None, due=DUE)
    member(org.yenthe, Role.HEAD, username="yenthe.head")

    few_inserts, few_others = _sweep_statements(NOW)
    # The sweep hands its rows out when its transaction commits, which a test's
    # never does: marked sent, they are not found again by the second sweep's
    # hand-out of expired leases (a statement the first sweep did not make).
    ReminderLedger.objects.update(state=LedgerState.SENT, next_attempt_at=None)
    schedule_reminders(few, None)
    schedule_reminders(many, at(2026, 4, 22))
    many_inserts, many_others = _sweep_statements(at(2026, 5, 20, 10, 5))

    assert few_others == many_others
    # One insert of digest rows, then the items (split only by SQLite's limit on
    # parameters per statement, never per assignment).
    assert few_inserts == 2
    assert many_inserts >= 2
    # Per sweep, one digest per reader and channel: Hiệp Hòa's two heads and the
    # two leaders, then Yên Thế's head and the two leaders; inbox and e-mail.
    assert ReminderLedger.objects.filter(kind="digest_sweep").count() == (4 + 3) * 2
