"""Every write to documents, directives and assignments, by action family.

Each state change of an assignment goes through one function here, under
`select_for_update`, bumps `version`, and appends an `AssignmentEvent` with
the actor, the time and the fields before and after (the skeleton is
`_transition`). Callers may rely on: nothing is written when a function raises.

Callers import the package (`from directives import services`), never a family
module: where a service lives is this package's business.
"""

from directives.errors import (
    DAY_OUT_OF_RANGE,
    DIRECTIVE_REVOKED,
    DIRECTIVES_EXIST,
    DUE_BEFORE_DOCUMENT,
    DUPLICATE_UNIT,
    EXTENSION_DECIDED,
    EXTENSION_NOT_LATER,
    EXTENSION_PENDING,
    INVALID_RRULE,
    LEAD_NOT_AMONG_UNITS,
    LEAD_REQUIRED,
    LINK_TO_SELF,
    NO_NUMBERED_ITEMS,
    REASON_REQUIRED,
    TWO_LEADS,
    UNIT_ALREADY_ASSIGNED,
    UNIT_INACTIVE,
    UNKNOWN_CATEGORY,
    VERSION_MISMATCH,
)
from directives.services.assign import (
    directive_assign,
    directive_create,
    directive_revoke,
    directive_update,
)
from directives.services.categories import CATEGORY_FIELDS, category_create, category_update
from directives.services.documents import (
    document_create,
    document_extract_confirm,
    document_extract_preview,
    document_link,
    document_update,
)
from directives.services.extensions import (
    extension_approve,
    extension_reject,
    extension_request_create,
)
from directives.services.policies import (
    POLICY_FIELDS,
    next_reminder_at,
    reminder_policy_for,
    reminder_policy_set,
    set_next_reminder,
)
from directives.services.recurrence import (
    MAX_ROLL_DAYS,
    parse_rrule,
    recurring_fan_out,
    recurring_schedule_set,
)
from directives.services.workflow import (
    assignment_accept,
    assignment_acknowledge,
    assignment_cancel,
    assignment_report_completion,
    assignment_report_progress,
    assignment_return,
    assignment_update,
    assignments_transfer,
)

__all__ = [
    "CATEGORY_FIELDS",
    "DAY_OUT_OF_RANGE",
    "DIRECTIVES_EXIST",
    "DIRECTIVE_REVOKED",
    "DUE_BEFORE_DOCUMENT",
    "DUPLICATE_UNIT",
    "EXTENSION_DECIDED",
    "EXTENSION_NOT_LATER",
    "EXTENSION_PENDING",
    "INVALID_RRULE",
    "LEAD_NOT_AMONG_UNITS",
    "LEAD_REQUIRED",
    "LINK_TO_SELF",
    "MAX_ROLL_DAYS",
    "NO_NUMBERED_ITEMS",
    "POLICY_FIELDS",
    "REASON_REQUIRED",
    "TWO_LEADS",
    "UNIT_ALREADY_ASSIGNED",
    "UNIT_INACTIVE",
    "UNKNOWN_CATEGORY",
    "VERSION_MISMATCH",
    "assignment_accept",
    "assignment_acknowledge",
    "assignment_cancel",
    "assignment_report_completion",
    "assignment_report_progress",
    "assignment_return",
    "assignment_update",
    "assignments_transfer",
    "category_create",
    "category_update",
    "directive_assign",
    "directive_create",
    "directive_revoke",
    "directive_update",
    "document_create",
    "document_extract_confirm",
    "document_extract_preview",
    "document_link",
    "document_update",
    "extension_approve",
    "extension_reject",
    "extension_request_create",
    "next_reminder_at",
    "parse_rrule",
    "recurring_fan_out",
    "recurring_schedule_set",
    "reminder_policy_for",
    "reminder_policy_set",
    "set_next_reminder",
]
