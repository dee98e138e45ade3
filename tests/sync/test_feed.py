"""The delta-sync feed, through `GET /api/v1/sync/` only.

A full sync (no `since`) pages through everything the caller may see; a delta
(`since=<token>`) returns exactly what changed, tombstones for what was deleted
or left the caller's scope, and nothing twice in a row. A token the server
cannot honour answers 410 so the phone starts over instead of trusting a
partial answer.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from changelog.log import KIND_ASSIGNMENT, KIND_DIRECTIVE, KIND_UNIT, record_change
from changelog.models import ChangeLog
from directives import services
from directives.models import (
    Assignment,
    Directive,
    ExtensionRequest,
    ProgressReport,
    SourceDocument,
)
from notifications.models import Notification
from sync.feed import TOKEN_SALT
from sync.services import change_log_prune
from tests.directives.factories import (
    API,
    FAR_DUE,
    DirectiveFactory,
    DocumentFactory,
    assign,
    assign_one,
    post_if_match,
    request_extension,
)
from tests.factories import MembershipFactory, OrgUnitFactory
from tests.sync.conftest import SYNC, Replica, SyncPass, fresh_view, sync_all
from thads.clock import local_today
from units.models import Membership, OrgUnit, Role

LATER = "2100-01-15"  # after FAR_DUE: a valid extension date


@dataclass
class World:
    """Hiệp Hòa's and Yên Thế's work, and a unit X the officer also belongs to."""

    x: OrgUnit
    doc1: SourceDocument  # d1, d2, d3: Hiệp Hòa's
    doc2: SourceDocument  # dy: Yên Thế's only; d5: nobody's yet
    d1: Directive
    d2: Directive
    d3: Directive
    dy: Directive
    d5: Directive
    a1: Assignment  # Hiệp Hòa, d1
    ax: Assignment  # unit X, d1 (coordinating)
    a2: Assignment  # Hiệp Hòa, d2; Yên Thế coordinates it (a2y)
    a2y: Assignment
    a3: Assignment  # Hiệp Hòa, d3, still `assigned`
    ay: Assignment  # Yên Thế, dy
    at: Assignment  # the team below Hiệp Hòa: the head sees it, the officer does not
    r1: ProgressReport  # on a1
    ry: ProgressReport  # on ay
    e1: ExtensionRequest  # on a2
    ey: ExtensionRequest  # on ay
    n1: Notification  # the officer's
    ny: Notification  # Yên Thế's officer's


@pytest.fixture
def world(org, people, inbox) -> World:
    director, officer, other = people.director, people.officer, people.other_officer
    x = OrgUnitFactory(code="CC-X", name="Đơn vị X", parent=org.department)
    MembershipFactory(user=officer, unit=x, role=Role.OFFICER)
    doc1 = DocumentFactory(created_by=director)
    doc2 = DocumentFactory(created_by=director)
    d1, d2, d3 = (DirectiveFactory(document=doc1) for _ in range(3))
    dy, d5 = DirectiveFactory(document=doc2), DirectiveFactory(document=doc2)
    a1, ax = assign(actor=director, units=[org.hiephoa, x], directive=d1)
    a2, a2y = assign(actor=director, units=[org.hiephoa, org.yenthe], directive=d2)
    a3 = assign_one(actor=director, unit=org.hiephoa, directive=d3)
    ay = assign_one(actor=director, unit=org.yenthe, directive=dy)
    at = assign_one(actor=director, unit=org.team)
    r1 = services.assignment_report_progress(actor=officer, assignment=a1, percent=10)
    ry = services.assignment_report_progress(actor=other, assignment=ay, percent=20)
    e1 = request_extension(a2, member=officer, requested=FAR_DUE + timedelta(days=5))
    ey = request_extension(ay, member=other, requested=FAR_DUE + timedelta(days=5))
    return World(
        x=x,
        doc1=doc1,
        doc2=doc2,
        d1=d1,
        d2=d2,
        d3=d3,
        dy=dy,
        d5=d5,
        a1=a1,
        ax=ax,
        a2=a2,
        a2y=a2y,
        a3=a3,
        ay=ay,
        at=at,
        r1=r1,
        ry=ry,
        e1=e1,
        ey=ey,
        n1=inbox(officer),
        ny=inbox(other),
    )


def _units() -> set:
    return {("unit", pk) for pk in OrgUnit.objects.values_list("id", flat=True)}


def _officer_sees(w: World) -> set:
    return _units() | {
        ("document", w.doc1.pk),
        ("directive", w.d1.pk),
        ("directive", w.d2.pk),
        ("directive", w.d3.pk),
        ("assignment", w.a1.pk),
        ("assignment", w.ax.pk),
        ("assignment", w.a2.pk),
        ("assignment", w.a3.pk),
        ("report", w.r1.pk),
        ("extension", w.e1.pk),
        ("notification", w.n1.pk),
    }


# --- full sync ---------------------------------------------------------------------------


def test_full_sync_pages_through_everything_in_scope_and_nothing_else(client_for, officer, world):
    client = client_for(officer)

    full = sync_all(client, page_size=3)

    expected = _officer_sees(world)
    assert len(full.pages) == -(-len(expected) // 3)  # several pages, none empty or extra
    assert all(len(page["changes"]) <= 3 for page in full.pages)
    assert [page["has_more"] for page in full.pages] == [True] * (len(full.pages) - 1) + [False]
    assert full.changed == expected
    assert len(full.changes) == len(expected), "an object came twice"
    assert full.deleted == []
    # Parents before children, so a phone can insert as it goes.
    order = [item["type"] for item in full.changes]
    kinds = ["unit", "document", "directive", "assignment", "report", "extension", "notification"]
    assert order == sorted(order, key=kinds.index)

    delta = sync_all(client, full.token)
    assert (delta.changes, delta.deleted) == ([], [])


def test_full_sync_of_yen_the_sees_only_yen_the(client_for, people, world):
    full = sync_all(client_for(people.other_officer), page_size=4)

    assert full.changed == _units() | {
        ("document", world.doc1.pk),  # through d2, which Yên Thế coordinates
        ("document", world.doc2.pk),
        ("directive", world.d2.pk),
        ("directive", world.dy.pk),
        ("assignment", world.a2y.pk),
        ("assignment", world.ay.pk),
        ("report", world.ry.pk),
        ("extension", world.ey.pk),
        ("notification", world.ny.pk),
    }


def test_a_head_also_syncs_the_units_below(client_for, head, world):
    full = sync_all(client_for(head), page_size=5)

    assert ("assignment", world.at.pk) in full.changed
    assert ("directive", world.at.directive_id) in full.changed
    assert ("assignment", world.ax.pk) not in full.changed  # X is not below Hiệp Hòa
    assert ("assignment", world.ay.pk) not in full.changed
    assert not {key for key in full.changed if key[0] == "notification"}


def test_leadership_syncs_everything(client_for, director, world):
    full = sync_all(client_for(director), page_size=50)

    assert {("assignment", pk) for pk in Assignment.objects.values_list("id", flat=True)} <= (
        full.changed
    )
    assert {("report", world.r1.pk), ("report", world.ry.pk)} <= full.changed
    assert ("directive", world.d5.pk) in full.changed  # unassigned, still leadership's


# --- delta --------------------------------------------------------------------------------


def test_delta_returns_exactly_three_creates_two_updates_one_deletion_one_loss_of_scope(
    client_for, people, org, world
):
    officer_client = client_for(people.officer)
    director_client = client_for(people.director)
    t1 = sync_all(officer_client, page_size=100).token

    # Three creates: a progress report, an extension request, a new assignment.
    response = post_if_match(
        officer_client, f"{API}/assignments/{world.a2.pk}/progress/", {"percent": 40}
    )
    assert response.status_code == 201, response.content
    r2 = response.json()["id"]
    response = post_if_match(
        officer_client,
        f"{API}/assignments/{world.a1.pk}/extensions/",
        {"requested_due_date": LATER, "reason": "Chờ thẩm định giá"},
    )
    assert response.status_code == 201, response.content
    e2 = response.json()["id"]
    response = director_client.post(
        f"{API}/directives/{world.d5.pk}/assign/",
        {
            "units": [world.a1.unit_id],
            "lead_unit": world.a1.unit_id,
            "due_date": FAR_DUE.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    a5 = response.json()[0]["id"]
    # Two updates: acknowledge an assignment, approve the extension.
    response = post_if_match(officer_client, f"{API}/assignments/{world.a3.pk}/acknowledge/")
    assert response.status_code == 200, response.content
    response = director_client.post(f"{API}/extensions/{e2}/approve/")
    assert response.status_code == 200, response.content
    # One deletion: the officer removes a message from the inbox.
    response = officer_client.delete(f"{API}/notifications/{world.n1.pk}/")
    assert response.status_code == 204, response.content
    # One loss of scope: unit X's work moves to Yên Thế.
    response = director_client.post(
        f"{API}/assignments/transfer/",
        {"from_unit": world.x.pk, "to_unit": org.yenthe.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()] == [world.ax.pk]

    delta = sync_all(officer_client, t1)

    assert delta.changed == {
        ("report", r2),
        ("assignment", world.a2.pk),  # the report moved it to in_progress
        ("extension", e2),  # created, then approved: once, as it is now
        ("assignment", world.a1.pk),  # the request, then the approved deadline
        ("assignment", a5),
        ("directive", world.d5.pk),  # the new assignment brings its directive...
        ("document", world.doc2.pk),  # ...and its document into the officer's view
        ("assignment", world.a3.pk),
    }
    assert len(delta.changes) == len(delta.changed)
    assert delta.gone == {("notification", world.n1.pk), ("assignment", world.ax.pk)}
    by_key = {(item["type"], item["id"]): item["data"] for item in delta.changes}
    assert by_key[("extension", e2)]["status"] == "approved"
    assert by_key[("assignment", world.a1.pk)]["due_date"] == LATER
    assert by_key[("assignment", world.a3.pk)]["status"] == "acknowledged"
    # The deleted notification and the transferred assignment carry no data.
    assert ("notification", world.n1.pk) not in delta.changed

    again = sync_all(officer_client, delta.token)
    assert (again.changes, again.deleted) == ([], [])
    # A lost answer is safe to ask again: the old token gives the same delta.
    replay = sync_all(officer_client, t1)
    assert (replay.changed, replay.gone) == (delta.changed, delta.gone)


def test_a_delta_pages_with_has_more_and_loses_nothing(client_for, people, org, world):
    client = client_for(people.officer)
    token = sync_all(client).token
    for assignment in (world.a1, world.a2, world.a3):
        services.assignment_update(
            actor=people.director, assignment=assignment, due_date=FAR_DUE - timedelta(days=7)
        )
    created = [assign_one(actor=people.director, unit=org.hiephoa) for _ in range(3)]

    delta = sync_all(client, token, page_size=2)

    assert len(delta.pages) > 2
    assert {("assignment", a.pk) for a in (world.a1, world.a2, world.a3, *created)} <= (
        delta.changed
    )
    assert {("directive", a.directive_id) for a in created} <= delta.changed
    assert all(key[0] in {"assignment", "directive", "document"} for key in delta.changed)
    again = sync_all(client, delta.token)
    assert (again.changes, again.deleted) == ([], [])


def test_ending_the_officers_membership_tombstones_the_units_work(client_for, people, org, world):
    officer_client = client_for(people.officer)
    t1 = sync_all(officer_client).token
    membership = Membership.objects.get(user=people.officer, unit=org.hiephoa)

    response = client_for(people.director).post(
        f"{API}/memberships/{membership.pk}/end/",
        {"valid_to": (local_today() - timedelta(days=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content

    delta = sync_all(officer_client, t1)
    assert delta.changes == []
    assert delta.gone == {
        ("assignment", world.a1.pk),
        ("assignment", world.a2.pk),
        ("assignment", world.a3.pk),
        ("report", world.r1.pk),
        ("extension", world.e1.pk),
        # d1 stays visible through unit X (ax); d2 and d3 were Hiệp Hòa's only.
        ("directive", world.d2.pk),
        ("directive", world.d3.pk),
        # doc1 stays visible through d1.
    }
    again = sync_all(officer_client, delta.token)
    assert (again.changes, again.deleted) == ([], [])


def test_ending_the_only_membership_tombstones_documents_too(client_for, people, world):
    other_client = client_for(people.other_officer)
    t1 = sync_all(other_client).token
    membership = Membership.objects.get(user=people.other_officer)
    client_for(people.director).post(
        f"{API}/memberships/{membership.pk}/end/",
        {"valid_to": (local_today() - timedelta(days=1)).isoformat()},
        format="json",
    )

    delta = sync_all(other_client, t1)

    assert delta.gone == {
        ("assignment", world.a2y.pk),
        ("assignment", world.ay.pk),
        ("report", world.ry.pk),
        ("extension", world.ey.pk),
        ("directive", world.d2.pk),
        ("directive", world.dy.pk),
        ("document", world.doc1.pk),
        ("document", world.doc2.pk),
    }
    # The inbox is the user's own, not the unit's: it stays.
    assert ("notification", world.ny.pk) not in delta.gone


# --- a phone that keeps syncing holds what a fresh full sync would ----------------------------


def test_a_replica_kept_by_deltas_matches_a_fresh_full_sync(client_for, people, org, world):
    client = client_for(people.officer)
    replica = Replica(client, page_size=4)
    replica.pull()
    services.assignment_acknowledge(actor=people.officer, assignment=world.a3)
    services.assignment_report_progress(actor=people.officer, assignment=world.a3, percent=70)
    assign_one(actor=people.director, unit=org.hiephoa)
    services.document_update(actor=people.director, document=world.doc1, title="Văn bản mới")
    assert client.post(f"{API}/notifications/{world.n1.pk}/read/").status_code == 200
    replica.pull()
    services.assignment_cancel(actor=people.director, assignment=world.a2, reason="Không cần")
    replica.pull()

    assert replica.objects == fresh_view(client)
    assert replica.resyncs == 0


def test_an_edited_directive_title_reaches_the_assignments_that_show_it(
    client_for, people, org, world
):
    client = client_for(people.officer)
    replica = Replica(client)
    replica.pull()
    services.directive_update(actor=people.director, directive=world.d1, title="Tiêu đề mới")
    replica.pull()

    assert replica.objects[("assignment", world.a1.pk)]["directive_title"] == "Tiêu đề mới"
    assert replica.objects == fresh_view(client)


def test_a_renamed_unit_reaches_the_assignments_that_show_its_name(client_for, people, org, world):
    client = client_for(people.officer)
    replica = Replica(client)
    replica.pull()

    response = client_for(people.director).post(
        f"{API}/units/{org.hiephoa.pk}/rename/", {"name": "Chi cục THADS thị xã Hiệp Hòa"}
    )
    assert response.status_code == 200, response.content
    replica.pull()

    assert replica.objects[("unit", org.hiephoa.pk)]["name"] == "Chi cục THADS thị xã Hiệp Hòa"
    assert (
        replica.objects[("assignment", world.a1.pk)]["unit_name"] == "Chi cục THADS thị xã Hiệp Hòa"
    )
    assert replica.objects == fresh_view(client)


def _x_work(people, org, world):
    """Unit X gets work of its own: a directive of a new document, with a report
    and an extension request, so a transfer has something to carry."""
    document = DocumentFactory(created_by=people.director)
    assignment = assign_one(
        actor=people.director, unit=world.x, directive=DirectiveFactory(document=document)
    )
    services.assignment_report_progress(actor=people.officer, assignment=assignment, percent=5)
    request_extension(assignment, member=people.officer, requested=FAR_DUE + timedelta(days=9))
    return assignment


def test_the_successor_unit_receives_everything_a_transfer_brings(client_for, people, org, world):
    moved = _x_work(people, org, world)
    yenthe = Replica(client_for(people.other_officer))
    yenthe.pull()

    response = client_for(people.director).post(
        f"{API}/assignments/transfer/",
        {"from_unit": world.x.pk, "to_unit": org.yenthe.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    yenthe.pull()

    assert ("assignment", moved.pk) in yenthe.keys
    assert yenthe.keys == set(fresh_view(client_for(people.other_officer)))


def test_the_predecessor_unit_drops_everything_a_transfer_takes(client_for, people, org, world):
    moved = _x_work(people, org, world)
    officer = Replica(client_for(people.officer))
    officer.pull()
    assert ("assignment", moved.pk) in officer.keys

    response = client_for(people.director).post(
        f"{API}/assignments/transfer/",
        {"from_unit": world.x.pk, "to_unit": org.yenthe.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    officer.pull()

    assert ("assignment", moved.pk) not in officer.keys
    assert officer.keys == set(fresh_view(client_for(people.officer)))


def test_a_new_membership_brings_the_units_existing_work(client_for, people, org, world):
    client = client_for(people.officer)
    replica = Replica(client)
    replica.pull()

    response = client_for(people.director).post(
        f"{API}/memberships/",
        {"user": people.officer.pk, "unit": org.yenthe.pk, "role": "officer"},
        format="json",
    )
    assert response.status_code == 201, response.content
    replica.pull()

    assert ("assignment", world.ay.pk) in replica.keys
    assert replica.keys == set(fresh_view(client))


def test_scope_lost_in_the_middle_of_a_full_sync_is_not_kept(client_for, people, org, world):
    client = client_for(people.officer)
    replica = Replica(client, page_size=9)
    first = client.get(SYNC, {"page_size": 9}).json()
    assert first["has_more"]
    assert ("document", world.doc1.pk) in {(c["type"], c["id"]) for c in first["changes"]}
    membership_hh = Membership.objects.get(user=people.officer, unit=org.hiephoa)
    membership_x = Membership.objects.get(user=people.officer, unit=world.x)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    for membership in (membership_hh, membership_x):
        client_for(people.director).post(
            f"{API}/memberships/{membership.pk}/end/", {"valid_to": yesterday}, format="json"
        )

    response = client.get(SYNC, {"since": first["next_token"], "page_size": 9})
    if response.status_code == 410:  # one acceptable answer: start over
        replica.pull()
    else:
        rest = sync_all(client, first["next_token"], page_size=9)
        replica.apply(SyncPass(pages=[first, *rest.pages], token=rest.token))
        replica.pull()  # the next delta may tombstone what the full sync sent early

    assert ("document", world.doc1.pk) not in replica.keys
    assert replica.keys == set(fresh_view(client))


def test_scope_lost_in_the_middle_of_a_delta_pass_is_not_kept(client_for, people, org, world):
    client = client_for(people.officer)
    replica = Replica(client, page_size=2)
    replica.pull()
    for assignment in (world.a1, world.a2, world.a3):
        services.assignment_update(
            actor=people.director, assignment=assignment, due_date=FAR_DUE - timedelta(days=3)
        )
    first = client.get(SYNC, {"since": replica.token, "page_size": 2}).json()
    assert first["has_more"]
    membership = Membership.objects.get(user=people.officer, unit=world.x)
    response = client_for(people.director).post(
        f"{API}/memberships/{membership.pk}/end/",
        {"valid_to": (local_today() - timedelta(days=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content

    response = client.get(SYNC, {"since": first["next_token"], "page_size": 2})
    if response.status_code == 410:  # one acceptable answer: start over
        replica.objects.clear()
        replica.token = None
    else:
        rest = sync_all(client, first["next_token"], page_size=2)
        replica.apply(SyncPass(pages=[first, *rest.pages], token=rest.token))
    replica.pull()

    assert ("assignment", world.ax.pk) not in replica.keys
    assert replica.keys == set(fresh_view(client))


def test_a_promotion_to_leadership_brings_everything_or_asks_for_a_resync(
    client_for, people, org, world
):
    client = client_for(people.officer)
    replica = Replica(client)
    replica.pull()

    response = client_for(people.director).post(
        f"{API}/memberships/",
        {"user": people.officer.pk, "unit": org.department.pk, "role": Role.DEPUTY_DIRECTOR},
        format="json",
    )
    assert response.status_code == 201, response.content
    replica.pull()  # a 410 is fine: the replica then starts over

    assert ("assignment", world.ay.pk) in replica.keys
    assert replica.keys == set(fresh_view(client))


# --- tokens the server cannot honour ---------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "eyJtIjoiZGVsdGEifQ:1tXyZa:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        signing.dumps({"m": "delta", "lo": 1, "hi": None, "after": None, "u": "*"}),
    ],
    ids=["garbled", "forged", "other-salt"],
)
def test_an_unknown_or_garbled_token_is_410_invalid(client_for, officer, token):
    response = client_for(officer).get(SYNC, {"since": token})

    assert response.status_code == 410, response.content
    assert response.json()["code"] == "sync_token_invalid"


def test_a_tampered_token_is_410_invalid(client_for, officer, world):
    client = client_for(officer)
    token = sync_all(client).token
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    response = client.get(SYNC, {"since": tampered})

    assert response.status_code == 410
    assert response.json()["code"] == "sync_token_invalid"


def test_another_users_token_is_410(client_for, people, world):
    token = sync_all(client_for(people.officer)).token

    response = client_for(people.head).get(SYNC, {"since": token})

    assert response.status_code == 410, response.content
    assert response.json()["code"] == "sync_token_invalid"


def test_a_mid_full_sync_token_of_another_user_is_410(client_for, people, world):
    page = client_for(people.officer).get(SYNC, {"page_size": 2}).json()
    assert page["has_more"]

    response = client_for(people.other_officer).get(SYNC, {"since": page["next_token"]})

    assert response.status_code == 410
    assert response.json()["code"] == "sync_token_invalid"


def test_an_expired_token_is_410_expired(client_for, officer, settings, world, monkeypatch):
    client = client_for(officer)
    token = sync_all(client).token
    payload = signing.loads(token, salt=TOKEN_SALT)
    # The same payload, signed as if SYNC_TOKEN_TTL_DAYS + 1 days ago.
    signed_at = timezone.now() - timedelta(days=settings.SYNC_TOKEN_TTL_DAYS + 1)
    monkeypatch.setattr(signing.time, "time", lambda: signed_at.timestamp())
    old = signing.dumps(payload, salt=TOKEN_SALT, compress=True)
    monkeypatch.undo()

    response = client.get(SYNC, {"since": old})

    assert response.status_code == 410, response.content
    body = response.json()
    assert body["code"] == "sync_token_expired"
    assert body["message"]
    # Just inside the lifetime, the same payload still works.
    signed_at = timezone.now() - timedelta(days=settings.SYNC_TOKEN_TTL_DAYS - 1)
    monkeypatch.setattr(signing.time, "time", lambda: signed_at.timestamp())
    recent = signing.dumps(payload, salt=TOKEN_SALT, compress=True)
    monkeypatch.undo()
    assert client.get(SYNC, {"since": recent}).status_code == 200


def test_a_shorter_lifetime_expires_existing_tokens(client_for, officer, settings, world):
    client = client_for(officer)
    token = sync_all(client).token
    payload = signing.loads(token, salt=TOKEN_SALT)
    signed_at = timezone.now() - timedelta(days=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: signed_at.timestamp())
        three_days_old = signing.dumps(payload, salt=TOKEN_SALT, compress=True)

    assert client.get(SYNC, {"since": three_days_old}).status_code == 200
    settings.SYNC_TOKEN_TTL_DAYS = 2
    response = client.get(SYNC, {"since": three_days_old})
    assert response.status_code == 410
    assert response.json()["code"] == "sync_token_expired"


def test_leadership_that_loses_leadership_must_resync(client_for, people, world):
    director_client = client_for(people.director)
    token = sync_all(director_client, page_size=100).token
    membership = Membership.objects.get(user=people.director)

    response = client_for(people.deputy_director).post(
        f"{API}/memberships/{membership.pk}/end/",
        {"valid_to": (local_today() - timedelta(days=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content

    response = director_client.get(SYNC, {"since": token})
    assert response.status_code == 410, response.content
    assert response.json()["code"] == "sync_token_expired"
    # Starting over works, and shows what the former director may still see.
    full = sync_all(director_client)
    assert not {key for key in full.changed if key[0] == "assignment"}


# --- bad requests --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{"cursor": "x"}, {"unit": "1"}, {"since": "x", "sinse": "y"}],
    ids=["cursor", "unit", "typo"],
)
def test_an_unknown_query_parameter_is_400(client_for, officer, params):
    response = client_for(officer).get(SYNC, params)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == set(params) - {"since"}


@pytest.mark.parametrize("page_size", ["0", "-1", "abc", "501"])
def test_a_bad_page_size_is_400(client_for, officer, page_size):
    response = client_for(officer).get(SYNC, {"page_size": page_size})

    assert response.status_code == 400, response.content
    assert "page_size" in response.json()["fields"]


def test_anonymous_callers_are_401(api_client):
    response = api_client.get(SYNC)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- pruning ---------------------------------------------------------------------------------


def test_change_log_prune_deletes_only_rows_older_than_any_valid_token(settings, org):
    now = timezone.now()
    ttl = settings.SYNC_TOKEN_TTL_DAYS
    ages = {"ancient": ttl + 30, "old": ttl + 2, "edge": ttl, "fresh": 0}
    ids = {}
    for name, days in ages.items():
        record_change(KIND_UNIT, org.hiephoa.pk)
        row = ChangeLog.objects.order_by("-id").first()
        ChangeLog.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=days))
        ids[name] = row.pk
    before = ChangeLog.objects.count()

    deleted = change_log_prune(now=now, batch=1)

    assert deleted == 2
    assert ChangeLog.objects.count() == before - 2
    left = set(ChangeLog.objects.values_list("id", flat=True))
    assert ids["ancient"] not in left and ids["old"] not in left
    assert ids["edge"] in left and ids["fresh"] in left
    assert change_log_prune(now=now) == 0


def test_the_prune_task_runs_the_service(settings, org):
    from sync.tasks import prune_change_log

    record_change(KIND_DIRECTIVE, 1)
    record_change(KIND_ASSIGNMENT, 1, unit_id=org.hiephoa.pk)
    ChangeLog.objects.filter(kind=KIND_DIRECTIVE).update(
        created_at=timezone.now() - timedelta(days=settings.SYNC_TOKEN_TTL_DAYS + 5)
    )

    prune_change_log.delay()

    assert list(ChangeLog.objects.values_list("kind", flat=True)) == [KIND_ASSIGNMENT]
