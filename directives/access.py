"""Who may do what to an assignment: the one table and the checks on it.

Visibility (404) is decided by the selectors through `units.selectors.user_scope`;
these checks decide what a user who can see an object may do with it (403),
and what its state allows (409).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directives.errors import PERMISSION_DENIED, TRANSITION_NOT_ALLOWED
from directives.models import Assignment, AssignmentStatus
from thads.errors import DomainError
from units.selectors import Scope, user_scope

S = AssignmentStatus
_WORKING = frozenset({S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS})

# action → (who may do it, the statuses it is allowed from)
ASSIGNMENT_ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "acknowledge": ("member", frozenset({S.ASSIGNED})),
    "progress": ("member", _WORKING),
    "request_extension": ("member", _WORKING),
    "complete": ("member", _WORKING),
    "accept": ("leadership", frozenset({S.REPORTED})),
    "return": ("leadership", frozenset({S.REPORTED})),
    "cancel": ("leadership", frozenset({*_WORKING, S.REPORTED})),
    "update": ("leadership", frozenset({*_WORKING, S.REPORTED})),
}


# What each action is called in messages, in the caller's language ("Không thể
# chấp nhận kết quả khi ..."): the codes above stay in the error's fields.
ACTION_LABELS = {
    "acknowledge": pgettext_lazy("thao tác", "tiếp nhận nhiệm vụ"),
    "progress": pgettext_lazy("thao tác", "báo cáo tiến độ"),
    "request_extension": pgettext_lazy("thao tác", "đề nghị gia hạn"),
    "complete": pgettext_lazy("thao tác", "báo cáo hoàn thành"),
    "accept": pgettext_lazy("thao tác", "chấp nhận kết quả"),
    "return": pgettext_lazy("thao tác", "trả lại để làm tiếp"),
    "cancel": pgettext_lazy("thao tác", "hủy nhiệm vụ"),
    "update": pgettext_lazy("thao tác", "sửa nhiệm vụ"),
}


def _may(scope: Scope, who: str, assignment: Assignment) -> bool:
    if who == "leadership":
        return scope.is_leadership
    return scope.can_act_for_unit(assignment.unit_id)


def allowed_actions(*, scope: Scope, assignment: Assignment) -> list[str]:
    """The actions this caller may take on this assignment now, in table order."""
    return [
        action
        for action, (who, statuses) in ASSIGNMENT_ACTIONS.items()
        if assignment.status in statuses and _may(scope, who, assignment)
    ]


def ensure_leadership(actor) -> Scope:
    scope = user_scope(user=actor)
    if not scope.is_leadership:
        raise DomainError(
            PERMISSION_DENIED,
            _("Chỉ lãnh đạo Cục được thực hiện thao tác này."),
            status_code=403,
        )
    return scope


def ensure_action(*, actor, assignment: Assignment, action: str) -> Scope:
    """Refuse with 403 when the actor may not take `action`, with 409 (naming the
    allowed actions) when the assignment's status does not allow it."""
    who, statuses = ASSIGNMENT_ACTIONS[action]
    scope = user_scope(user=actor)
    if not _may(scope, who, assignment):
        message = (
            _("Chỉ lãnh đạo Cục được thực hiện thao tác này.")
            if who == "leadership"
            else _("Chỉ thành viên của đơn vị được giao mới thực hiện được thao tác này.")
        )
        raise DomainError(PERMISSION_DENIED, message, status_code=403)
    if assignment.status not in statuses:
        allowed = allowed_actions(scope=scope, assignment=assignment)
        raise DomainError(
            TRANSITION_NOT_ALLOWED,
            _(
                "Không thể %(action)s khi nhiệm vụ đang ở trạng thái “%(status)s”. "
                "Thao tác được phép: %(allowed)s."
            )
            % {
                "action": ACTION_LABELS[action],
                "status": AssignmentStatus(assignment.status).label,
                "allowed": ", ".join(str(ACTION_LABELS[name]) for name in allowed) or _("không có"),
            },
            extra={"status": assignment.status, "allowed_actions": allowed},
            status_code=409,
        )
    return scope
