"""Property: a unit's sync never carries another unit's work.

Hypothesis builds a small organisation (a department, two parent units each
with a child, a loose unit; an officer in each, a head over each parent), then
random work across the units: assignments of one directive to several units,
progress reports, extension requests, acknowledgements, transfers between
units. Every officer and head does a full sync, more random work happens, and
each does a delta. Judged against the database, independently of
`user_scope`:

- every change is in the caller's scope: assignments, reports and extension
  requests of the caller's units (a head's include the units below), and
  directives and documents with an assignment there;
- no tombstone names something the caller can still see, and an assignment's
  tombstone names one that was in the caller's units at some point;
- the assignments a phone holds after the full sync and the delta are exactly
  those, as they are now, that a fresh full sync gives.

Examples are derandomised (the same ones every run) and each runs inside a
savepoint that is rolled back, so they do not see each other's rows.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directives import services
from directives.models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    ProgressReport,
)
from tests.directives.factories import FAR_DUE, DirectiveFactory, DocumentFactory
from tests.factories import OrgUnitFactory, member
from tests.sync.conftest import Replica, fresh_view, pooled_client, sync_all
from thads.errors import DomainError
from units.models import OrgUnit, Role, UnitKind, User

# Units by index: 0 department, 1 and 2 parents, 3 under 1, 4 under 2, 5 loose.
N_UNITS = 6
PARENT = {1: 0, 2: 0, 3: 1, 4: 2, 5: 0}
WORK_UNITS = [1, 2, 3, 4, 5]  # the department's own work is leadership's business

unit_index = st.sampled_from(WORK_UNITS)
ops = st.one_of(
    st.tuples(
        st.just("assign"),
        st.integers(0, 2),  # which document the new directive belongs to
        st.lists(unit_index, min_size=1, max_size=3, unique=True),
    ),
    st.tuples(st.just("progress"), st.integers(0, 99)),
    st.tuples(st.just("extend"), st.integers(0, 99)),
    st.tuples(st.just("ack"), st.integers(0, 99)),
    st.tuples(st.just("cancel"), st.integers(0, 99)),
    st.tuples(st.just("transfer"), unit_index, unit_index),
)


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


@dataclass
class Org:
    units: list[OrgUnit]
    director: User
    officers: dict[int, User]  # by unit index
    heads: dict[int, User]  # heads of the parents

    def visible(self, user: User) -> set[int]:
        """The unit ids `user` may see, from the structure built here."""
        for index, officer in self.officers.items():
            if officer.pk == user.pk:
                return {self.units[index].pk}
        for index, head in self.heads.items():
            if head.pk == user.pk:
                below = {i for i, parent in PARENT.items() if parent == index}
                return {self.units[i].pk for i in {index, *below}}
        raise AssertionError(user)

    def callers(self) -> list[User]:
        # Units 2 and 4 mirror 1 and 3; their officers act, the head of 2 watches them.
        return [self.officers[1], self.officers[3], self.officers[5], *self.heads.values()]


def build_org() -> Org:
    units = [OrgUnitFactory(kind=UnitKind.DEPARTMENT)]
    for index in range(1, N_UNITS):
        units.append(OrgUnitFactory(parent=units[PARENT[index]]))
    return Org(
        units=units,
        director=member(units[0], Role.DIRECTOR),
        officers={index: member(units[index], Role.OFFICER) for index in WORK_UNITS},
        heads={index: member(units[index], Role.HEAD) for index in (1, 2)},
    )


def apply(org: Org, documents: list, operations: list) -> None:
    """Run the operations through the services; refused ones (a transition not
    allowed, a pending extension, a transfer to itself) change nothing."""
    officer_of = {org.units[i].pk: officer for i, officer in org.officers.items()}
    for op in operations:
        assignments = list(Assignment.objects.order_by("id"))
        try:
            if op[0] == "assign":
                _name, document, unit_indexes = op
                units = [org.units[i] for i in unit_indexes]
                services.directive_assign(
                    actor=org.director,
                    directive=DirectiveFactory(document=documents[document]),
                    units=units,
                    lead_unit=units[0],
                    due_date=FAR_DUE,
                )
            elif op[0] == "transfer":
                services.assignments_transfer(
                    actor=org.director, from_unit=org.units[op[1]], to_unit=org.units[op[2]]
                )
            elif assignments:
                assignment = assignments[op[1] % len(assignments)]
                actor = officer_of[assignment.unit_id]
                if op[0] == "progress":
                    services.assignment_report_progress(
                        actor=actor, assignment=assignment, percent=op[1] % 101
                    )
                elif op[0] == "extend":
                    services.extension_request_create(
                        actor=actor,
                        assignment=assignment,
                        requested_due_date=assignment.due_date + timedelta(days=op[1] + 1),
                        reason="Chờ kết quả xác minh",
                    )
                elif op[0] == "ack":
                    services.assignment_acknowledge(actor=actor, assignment=assignment)
                elif op[0] == "cancel":
                    services.assignment_cancel(
                        actor=org.director, assignment=assignment, reason="Không còn cần"
                    )
        except DomainError:
            pass


def units_ever(assignment: Assignment) -> set[int]:
    """The units an assignment has belonged to: now, and before each transfer."""
    units = {assignment.unit_id}
    for event in assignment.events.filter(action=AssignmentEvent.Action.TRANSFERRED):
        units |= {event.before.get("unit_id"), event.after.get("unit_id")}
    return units


def in_scope(kind: str, pk: int, visible: set[int], user: User) -> bool:
    if kind == "unit":
        return True
    if kind == "assignment":
        return Assignment.objects.filter(pk=pk, unit_id__in=visible).exists()
    if kind == "report":
        return ProgressReport.objects.filter(pk=pk, assignment__unit_id__in=visible).exists()
    if kind == "extension":
        return ExtensionRequest.objects.filter(pk=pk, assignment__unit_id__in=visible).exists()
    if kind == "directive":
        return Assignment.objects.filter(directive_id=pk, unit_id__in=visible).exists()
    if kind == "document":
        return Assignment.objects.filter(directive__document_id=pk, unit_id__in=visible).exists()
    if kind == "notification":
        return user.notifications.filter(pk=pk).exists()
    raise AssertionError(kind)


def check_scope(org: Org, user: User, result) -> None:
    visible = org.visible(user)
    for item in result.changes:
        kind, pk = item["type"], item["id"]
        assert in_scope(kind, pk, visible, user), f"{user.username} was sent {kind} {pk}"
        if kind == "assignment":
            assert item["data"]["unit"] in visible
    for item in result.deleted:
        kind, pk = item["type"], item["id"]
        assert not in_scope(kind, pk, visible, user), f"{kind} {pk} is visible, not deleted"
        if kind == "assignment":
            ever = units_ever(Assignment.objects.get(pk=pk))
            assert ever & visible, f"{user.username} learned of another unit's assignment {pk}"


def assignments_of(objects: dict) -> dict:
    return {key: data for key, data in objects.items() if key[0] == "assignment"}


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    before=st.lists(ops, min_size=2, max_size=6),
    after=st.lists(ops, min_size=1, max_size=6),
    page_size=st.sampled_from([6, 500]),
)
def test_a_units_sync_never_contains_another_units_objects(before, after, page_size):
    with rolled_back():
        org = build_org()
        documents = [DocumentFactory(created_by=org.director) for _ in range(3)]
        # Every unit has some work, so no caller's feed is trivially empty.
        for index in WORK_UNITS:
            services.directive_assign(
                actor=org.director,
                directive=DirectiveFactory(document=documents[index % 3]),
                units=[org.units[index]],
                lead_unit=org.units[index],
                due_date=FAR_DUE,
            )
        apply(org, documents, before)

        replicas = {}
        for slot, user in enumerate(org.callers()):
            replica = Replica(pooled_client(user, f"property-{slot}"), page_size=page_size)
            full = replica.pull()
            check_scope(org, user, full)
            assert full.deleted == []
            assert {
                ("assignment", pk)
                for pk in Assignment.objects.filter(unit_id__in=org.visible(user)).values_list(
                    "id", flat=True
                )
            } == {k for k in full.changed if k[0] == "assignment"}
            replicas[user.pk] = replica

        apply(org, documents, after)

        for user in org.callers():
            replica = replicas[user.pk]
            delta = replica.pull()
            check_scope(org, user, delta)
            assert replica.resyncs == 0
            # No assignment change is missed, none is left behind.
            assert assignments_of(replica.objects) == assignments_of(fresh_view(replica.client))
            again = sync_all(replica.client, replica.token)
            assert (again.changes, again.deleted) == ([], [])
