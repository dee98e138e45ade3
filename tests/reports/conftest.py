"""A small world for the reports: one document, three directives, assignments in
every timeliness bucket for Hiệp Hòa, Yên Thế and the Office, plus a cancelled one.

Deadlines are in 2022 so that "overdue" does not depend on when the suite runs;
open-on-time work is due in 2099.
"""

from dataclasses import dataclass
from datetime import date

import pytest

from directives.models import Assignment, Directive, SourceDocument
from tests.directives.conftest import _client_pool, client_as  # noqa: F401 - fixtures
from tests.directives.factories import (
    FAR_DUE,
    DirectiveFactory,
    DocumentFactory,
    assign,
    category,
    drive,
    local,
)

DUE_2022 = date(2022, 6, 30)  # a Thursday


@dataclass
class World:
    document: SourceDocument
    directives: list[Directive]
    by_name: dict[str, Assignment]


def build_world(*, org, people) -> World:
    director, officer, other = people.director, people.officer, people.other_officer
    document = DocumentFactory(created_by=director)
    d1 = DirectiveFactory(document=document, label="1", position=1, title="Xác minh điều kiện")
    d2 = DirectiveFactory(
        document=document,
        label="2",
        position=2,
        title="Kê biên, bán đấu giá tài sản",
        category=category("asset_auction"),
    )
    d3 = DirectiveFactory(document=document, label="3", position=3, title="Tiếp công dân")
    start = local(2022, 4, 25)
    hh1, yt1 = assign(
        actor=director, units=[org.hiephoa, org.yenthe], directive=d1, due_date=DUE_2022, now=start
    )
    hh2, yt2 = assign(
        actor=director, units=[org.hiephoa, org.yenthe], directive=d2, due_date=FAR_DUE, now=start
    )
    (of3,) = assign(actor=director, units=[org.office], directive=d3, due_date=DUE_2022, now=start)
    (hh3,) = assign(
        actor=director,
        units=[org.hiephoa],
        lead=org.hiephoa,
        directive=DirectiveFactory(document=document, label="4", position=4, title="Hủy"),
        due_date=DUE_2022,
        now=start,
    )
    # Hiệp Hòa finishes (1) on time, Yên Thế late (15/7 is 11 working days after 30/6).
    drive(hh1, "done", leader=director, member=officer, now=local(2022, 6, 20))
    drive(yt1, "done", leader=director, member=other, now=local(2022, 7, 15))
    drive(hh3, "cancelled", leader=director, member=officer, now=local(2022, 5, 2))
    # hh2, yt2: open, due 2099 (on time); of3: open, due 30/6/2022 (overdue).
    drive(hh2, "in_progress", leader=director, member=officer, now=local(2022, 5, 3))
    return World(
        document=document,
        directives=[d1, d2, d3],
        by_name={"hh1": hh1, "yt1": yt1, "hh2": hh2, "yt2": yt2, "of3": of3, "hh3": hh3},
    )


@pytest.fixture
def world(org, people) -> World:
    return build_world(org=org, people=people)
