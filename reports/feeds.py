"""The iCalendar feed (RFC 5545): one all-day event per open assignment a user may
see, on its current deadline, with a reminder the working morning before.

Streamed: the calendar's header, then each event as it is read from the
database, then the footer, so a director's feed of every open assignment costs
the memory of one chunk of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from directives.models import OPEN_STATUSES, AssignmentStatus
from directives.selectors import assignment_visible
from units.selectors import user_scope

CONTENT_TYPE = "text/calendar; charset=utf-8"
UID_DOMAIN = "thads-directives"
# 16 hours before the all-day event starts: 08:00 the day before the deadline.
ALARM_BEFORE = timedelta(hours=16)
_FOOTER = b"END:VCALENDAR\r\n"

FEED_COLUMNS = (
    "id",
    "due_date",
    "original_due_date",
    "status",
    "progress",
    "updated_at",
    "unit__name",
    "unit__short_name",
    "directive__label",
    "directive__title",
    "directive__document__number",
)


def feed_assignments(*, user) -> QuerySet:
    """The open assignments `user` may see, as rows for the feed."""
    scope = user_scope(user=user)
    return (
        assignment_visible(scope=scope)
        .filter(status__in=OPEN_STATUSES)
        .values(*FEED_COLUMNS)
        .order_by("due_date", "id")
    )


def assignment_uid(assignment_id: int) -> str:
    """Stable across rotations and deadline changes, so a calendar updates the
    event instead of adding another."""
    return f"assignment-{assignment_id}@{UID_DOMAIN}"


def _line(label: str, value: object) -> str:
    return "%s: %s" % (label, value)  # noqa: UP031 - the label comes from gettext


def _event(row: dict) -> Event:
    statuses = dict(AssignmentStatus.choices)
    unit = row["unit__short_name"] or row["unit__name"]
    title = f"({row['directive__label']}) {row['directive__title']}"
    event = Event()
    event.add("uid", assignment_uid(row["id"]))
    event.add("dtstamp", row["updated_at"])
    event.add("last-modified", row["updated_at"])
    event.add("dtstart", row["due_date"])
    event.add("dtend", row["due_date"] + timedelta(days=1))
    event.add("summary", "%s: %s — %s" % (_("Hạn"), title, unit))  # noqa: UP031 - gettext
    lines = [
        _line(_("Đơn vị"), row["unit__name"]),
        _line(_("Văn bản"), row["directive__document__number"]),
        _line(_("Trạng thái"), statuses.get(row["status"], row["status"])),
        _line(_("Tiến độ"), f"{row['progress']}%"),
    ]
    if row["original_due_date"] != row["due_date"]:
        lines.append(_line(_("Hạn ban đầu"), f"{row['original_due_date']:%d/%m/%Y}"))
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _line(_("Sắp đến hạn"), title))
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    return event


def _header(name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Cuc THADS tinh Bac Giang//THADS Directives//VI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    text = calendar.to_ical()
    assert text.endswith(_FOOTER)
    return text[: -len(_FOOTER)]


def feed_chunks(*, user, chunk_size: int = 500) -> Iterator[bytes]:
    """The feed of `user` as iCalendar bytes, chunk by chunk."""
    yield _header("%s — %s" % (_("Hạn nhiệm vụ"), user.full_name or user.username))  # noqa: UP031
    buffer: list[bytes] = []
    for row in feed_assignments(user=user).iterator(chunk_size=chunk_size):
        buffer.append(_event(row).to_ical())
        if len(buffer) >= chunk_size:
            yield b"".join(buffer)
            buffer = []
    buffer.append(_FOOTER)
    yield b"".join(buffer)
