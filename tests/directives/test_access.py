"""directives.access: the one table of who may do what to an assignment, in which state.

`allowed_actions` is checked cell by cell against a table written out here
independently of `ASSIGNMENT_ACTIONS`, for every role and every status; then
`ensure_action` is checked to refuse with 403 (who) before 409 (when).
"""

import pytest
from django.utils import translation

from directives.access import (
    ACTION_LABELS,
    ASSIGNMENT_ACTIONS,
    PERMISSION_DENIED,
    TRANSITION_NOT_ALLOWED,
    allowed_actions,
    ensure_action,
    ensure_leadership,
)
from directives.models import Assignment, AssignmentStatus
from thads.errors import DomainError
from units.selectors import NO_SCOPE, Scope, user_scope

S = AssignmentStatus
UNIT, PARENT, OTHER = 10, 1, 20

LEADERSHIP = Scope(True, frozenset({PARENT}), None, frozenset())
MEMBER = Scope(False, frozenset({UNIT}), frozenset({UNIT}), frozenset())
HEAD = Scope(False, frozenset({UNIT}), frozenset({UNIT}), frozenset({UNIT}))
PARENT_HEAD = Scope(False, frozenset({PARENT}), frozenset({PARENT, UNIT}), frozenset({PARENT}))
OTHER_MEMBER = Scope(False, frozenset({OTHER}), frozenset({OTHER}), frozenset())
# Office staff assigned work of their own office: leadership and member at once.
LEADER_AND_MEMBER = Scope(True, frozenset({UNIT}), None, frozenset())

WORKER = ["acknowledge", "progress", "request_extension", "complete"]
EXPECTED = {
    # status: (leadership, member of the unit)
    S.ASSIGNED: (["cancel", "update"], WORKER),
    S.ACKNOWLEDGED: (["cancel", "update"], WORKER[1:]),
    S.IN_PROGRESS: (["cancel", "update"], WORKER[1:]),
    S.REPORTED: (["accept", "return", "cancel", "update"], []),
    S.DONE: ([], []),
    S.CANCELLED: ([], []),
}
ORDER = [
    "acknowledge",
    "progress",
    "request_extension",
    "complete",
    "accept",
    "return",
    "cancel",
    "update",
]


def an_assignment(status: str) -> Assignment:
    return Assignment(pk=1, unit_id=UNIT, status=status)


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("leadership", LEADERSHIP),
        ("member", MEMBER),
        ("head", HEAD),
        ("parent_head", PARENT_HEAD),
        ("other_member", OTHER_MEMBER),
        ("nobody", NO_SCOPE),
        ("leader_and_member", LEADER_AND_MEMBER),
    ],
)
def test_allowed_actions_table(role, scope, status):
    leadership, member = EXPECTED[status]
    expected = {
        "leadership": leadership,
        "member": member,
        "head": member,
        "parent_head": [],
        "other_member": [],
        "nobody": [],
        "leader_and_member": sorted(leadership + member, key=ORDER.index),
    }[role]

    assert allowed_actions(scope=scope, assignment=an_assignment(status)) == expected


def test_every_status_has_a_row_in_the_table():
    assert set(EXPECTED) == set(S.values)


# --- ensure_action and ensure_leadership, with real users ---------------------------


@pytest.fixture
def team_assignment(org) -> Assignment:
    # Unsaved: the checks read only the unit and the status.
    return Assignment(pk=1, unit=org.team, status=S.ASSIGNED)


def test_ensure_action_lets_a_member_act_for_their_unit(people, org):
    assignment = Assignment(pk=1, unit=org.hiephoa, status=S.ASSIGNED)

    scope = ensure_action(actor=people.officer, assignment=assignment, action="acknowledge")

    assert scope.can_act_for_unit(org.hiephoa.pk)


def test_ensure_action_refuses_the_head_of_the_parent_unit(people, team_assignment):
    # He sees the team's work (it is in his scope) but does not act for the team.
    assert user_scope(user=people.head).can_see_unit(team_assignment.unit_id)

    with pytest.raises(DomainError) as excinfo:
        ensure_action(actor=people.head, assignment=team_assignment, action="progress")

    assert (excinfo.value.code, excinfo.value.status_code) == (PERMISSION_DENIED, 403)


def test_ensure_action_refuses_who_before_when(people, org):
    # An outsider is told 403, never the state of work that is not theirs.
    done = Assignment(pk=1, unit=org.hiephoa, status=S.DONE)

    with pytest.raises(DomainError) as excinfo:
        ensure_action(actor=people.other_officer, assignment=done, action="acknowledge")

    assert excinfo.value.status_code == 403


def test_ensure_action_names_the_allowed_actions_when_the_state_forbids(people, org):
    done = Assignment(pk=1, unit=org.hiephoa, status=S.DONE)
    with pytest.raises(DomainError) as excinfo, translation.override("vi"):
        ensure_action(actor=people.director, assignment=done, action="cancel")

    error = excinfo.value
    assert (error.code, error.status_code) == (TRANSITION_NOT_ALLOWED, 409)
    assert error.extra == {"status": "done", "allowed_actions": []}
    assert str(error.message) == (
        "Không thể hủy nhiệm vụ khi nhiệm vụ đang ở trạng thái “Hoàn thành”. "
        "Thao tác được phép: không có."
    )


def test_every_action_has_a_name_for_messages():
    assert set(ACTION_LABELS) == set(ASSIGNMENT_ACTIONS)


@pytest.mark.parametrize(
    ("who", "leadership"),
    [
        ("director", True),
        ("deputy_director", True),
        ("office_staff", True),
        ("superuser", True),
        ("head", False),
        ("deputy_head", False),
        ("officer", False),
        ("no_membership", False),
        ("inactive", False),
        ("ended", False),
    ],
)
def test_ensure_leadership_by_role(people, who, leadership):
    user = getattr(people, who)
    if leadership:
        assert ensure_leadership(user).is_leadership
    else:
        with pytest.raises(DomainError) as excinfo:
            ensure_leadership(user)
        assert (excinfo.value.code, excinfo.value.status_code) == (PERMISSION_DENIED, 403)
