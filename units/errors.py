"""The error codes of the units app: the `code` of its JSON error envelope.

Clients and tests match on these strings, so they never change once shipped.
"""

# Units and their history.
UNIT_CYCLE = "unit_cycle"
UNIT_CODE_TAKEN = "unit_code_taken"
UNIT_INACTIVE = "unit_inactive"
UNIT_HAS_ACTIVE_MEMBERSHIPS = "unit_has_active_memberships"
INVALID_KIND = "invalid_kind"
INVALID_DATES = "invalid_dates"
MERGE_NEEDS_SOURCES = "merge_needs_sources"
SPLIT_NEEDS_PARTS = "split_needs_parts"

# Memberships.
INVALID_ROLE = "invalid_role"
MEMBERSHIP_DUPLICATE = "membership_duplicate"
MEMBERSHIP_IMMUTABLE = "membership_immutable"

# A query parameter missing or out of range (the calendar).
VALIDATION_ERROR = "validation_error"
