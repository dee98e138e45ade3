"""The error codes of the directives app: the `code` of its JSON error envelope.

Clients and tests match on these strings, so they never change once shipped;
every refusal raised in this app names one of them.
"""

# Who may act, and what the state allows (directives.access).
PERMISSION_DENIED = "permission_denied"
TRANSITION_NOT_ALLOWED = "transition_not_allowed"

# Conditional requests (If-Match) on assignments.
PRECONDITION_REQUIRED = "precondition_required"
VERSION_MISMATCH = "precondition_failed"

# Uploaded evidence (directives.files).
FILE_TOO_LARGE = "file_too_large"
FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed"
TOO_MANY_FILES = "too_many_files"

# Documents and their directives.
INVALID_DATES = "invalid_dates"
INVALID_RELATION = "invalid_relation"
LINK_TO_SELF = "link_to_self"
NO_NUMBERED_ITEMS = "no_numbered_items"
DIRECTIVES_EXIST = "directives_exist"
UNKNOWN_CATEGORY = "unknown_category"
DIRECTIVE_REVOKED = "directive_revoked"

# Dates and deadlines.
DAY_OUT_OF_RANGE = "day_out_of_range"
DUE_BEFORE_DOCUMENT = "due_before_document"

# Assigning.
DUPLICATE_UNIT = "duplicate_unit"
LEAD_REQUIRED = "lead_required"
LEAD_NOT_AMONG_UNITS = "lead_not_among_units"
TWO_LEADS = "two_leads"
UNIT_ALREADY_ASSIGNED = "unit_already_assigned"
UNIT_INACTIVE = "unit_inactive"
TRANSFER_TO_ITSELF = "transfer_to_itself"

# The workflow.
REASON_REQUIRED = "reason_required"
INVALID_PERCENT = "invalid_percent"
EXTENSION_NOT_LATER = "extension_not_later"
EXTENSION_PENDING = "extension_pending"
EXTENSION_DECIDED = "extension_decided"

# Recurring directives and reminder policies.
INVALID_RRULE = "invalid_rrule"
INVALID_POLICY = "invalid_policy"

# A field-level refusal with no more specific code (the serializers' own).
VALIDATION_ERROR = "validation_error"
