"""The error answers: the envelope's components and which statuses an operation
really answers with."""

from __future__ import annotations

from typing import Any

from thads.api.openapi.common import (
    ASSIGNMENT_DETAIL,
    AUTH_PREFIX,
    ERROR,
    ERROR_CONFLICT,
    ERROR_PRECONDITION_FAILED,
    ERROR_THROTTLED,
    ERROR_TOO_LARGE,
    ERROR_URI_TOO_LONG,
    JSON,
    STATISTICS_REPORTS,
    SYNC_PATH,
    THROTTLED_PATHS,
    UNIT_REFERENCES,
    header_names,
    ref,
)


def error_components(has_assignment: bool) -> dict[str, dict[str, Any]]:
    current: dict[str, Any] = ref("Assignment") if has_assignment else {"type": "object"}
    return {
        ERROR: {
            "type": "object",
            "description": (
                "The one error envelope. `code` is stable and machine-readable; "
                "`message` is in the caller's language (Accept-Language, Vietnamese by "
                "default); `fields` maps each invalid field (or `non_field_errors`) to its "
                "messages. Some errors add keys of their own."
            ),
            "properties": {
                "code": {
                    "type": "string",
                    "description": "e.g. validation_error, not_authenticated, "
                    "permission_denied, not_found, transition_not_allowed, "
                    "version_mismatch, precondition_required, sync_token_expired, "
                    "request_too_large, throttled",
                },
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "Field name → list of messages (nested for nested input).",
                },
            },
            "required": ["code", "message"],
            "additionalProperties": True,
        },
        ERROR_CONFLICT: {
            "description": "A 409: the action is not allowed in the current status "
            "(`transition_not_allowed`, naming the allowed actions), or another request "
            "with this Idempotency-Key is still running (`idempotency_key_in_progress`).",
            "allOf": [
                ref(ERROR),
                {
                    "type": "object",
                    "properties": {
                        "status": {"type": "string", "description": "The current status."},
                        "allowed_actions": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "What the caller may do in this status.",
                        },
                    },
                },
            ],
        },
        ERROR_PRECONDITION_FAILED: {
            "description": "A 412 (`version_mismatch`): the `If-Match` ETag is stale. "
            "`current` is the assignment as it is now; its ETag is the one to send.",
            "allOf": [
                ref(ERROR),
                {"type": "object", "properties": {"current": current}, "required": ["current"]},
            ],
        },
        ERROR_TOO_LARGE: {
            "description": "A 413 (`request_too_large`): the body is over the limit.",
            "allOf": [
                ref(ERROR),
                {
                    "type": "object",
                    "properties": {"limit_bytes": {"type": "integer"}},
                    "required": ["limit_bytes"],
                },
            ],
        },
        ERROR_URI_TOO_LONG: {
            "description": "A 414 (`uri_too_long`): the path and query are over "
            "`limit_bytes` (REQUEST_MAX_URI_BYTES, 4096 by default). Past 8190 bytes of "
            "request line the web server itself answers 414, as an HTML page.",
            "allOf": [
                ref(ERROR),
                {
                    "type": "object",
                    "properties": {"limit_bytes": {"type": "integer"}},
                    "required": ["limit_bytes"],
                },
            ],
        },
        ERROR_THROTTLED: {
            "description": "A 429 (`throttled`): too many attempts; retry after "
            "`retry_after` seconds (also in the Retry-After header).",
            "allOf": [
                ref(ERROR),
                {"type": "object", "properties": {"retry_after": {"type": "integer"}}},
            ],
        },
    }


# status → (description, component)
ERRORS: dict[str, tuple[str, str]] = {
    "400": (
        "`validation_error` (with `fields`), `malformed_request` (unreadable JSON) or "
        "`idempotency_key_invalid`.",
        ERROR,
    ),
    "401": (
        "`not_authenticated`, `authentication_failed` or `token_not_valid` (no, bad or "
        "expired credentials; a revoked sign-in session); `invalid_credentials` at sign-in.",
        ERROR,
    ),
    "403": ("`permission_denied`: the caller may not do this.", ERROR),
    "404": (
        "`not_found`: no such object, or it is outside the caller's scope; on a list, "
        "a `cursor` that is not one the list gave out.",
        ERROR,
    ),
    "409": (
        "`transition_not_allowed` (with `status` and `allowed_actions`) or another "
        "state conflict: the current status does not allow this.",
        ERROR_CONFLICT,
    ),
    "410": (
        "`sync_token_expired` / `sync_token_invalid`: the token is too old or unknown; "
        "sync again from scratch (without `since`).",
        ERROR,
    ),
    "412": (
        "`version_mismatch`: the If-Match ETag is stale; `current` is the assignment now.",
        ERROR_PRECONDITION_FAILED,
    ),
    "413": (
        "`request_too_large`: the body is over the size limit (`limit_bytes`).",
        ERROR_TOO_LARGE,
    ),
    "414": (
        "`uri_too_long`: the path and query are over the limit (`limit_bytes`).",
        ERROR_URI_TOO_LONG,
    ),
    "415": ("`unsupported_media_type`: send JSON (or a form, where documented).", ERROR),
    "428": ("`precondition_required`: send If-Match with the assignment's ETag.", ERROR),
    "429": ("`throttled`: too many attempts; see `retry_after` / Retry-After.", ERROR_THROTTLED),
}

# Statuses whose causes add up: an earlier hook's description is kept beside ours.
MERGED_DESCRIPTIONS = frozenset({"409"})


def _allows_anonymous(path: str, operation: dict[str, Any]) -> bool:
    return path.startswith(AUTH_PREFIX) or {} in operation.get("security", [{}])


def _is_workflow_write(path: str, method: str) -> bool:
    """The writes a status can refuse with 409: assignment transitions and edits,
    extension decisions, assigning a directive, extracting a document's directives,
    statistics reports (a second report of a period, transitions, edits)."""
    if method not in ("post", "patch", "put"):
        return False
    return (
        path.startswith(ASSIGNMENT_DETAIL)
        or path.startswith("/api/v1/extensions/{id}/")
        or path in ("/api/v1/directives/{id}/assign/", "/api/v1/documents/{id}/extract/")
        or path.startswith(STATISTICS_REPORTS)
    )


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    """The error statuses this operation really answers with (see the module docstring)."""
    headers = header_names(operation)
    has_body = "requestBody" in operation
    statuses = ["401", "414"]
    # A path's id that is not a number is the URL resolver's 404, not a 400.
    if has_body or any(p.get("in") != "path" for p in operation.get("parameters", [])):
        statuses.append("400")
    if not _allows_anonymous(path, operation):
        statuses.append("403")
    if (
        "{" in path
        or any(p.get("name") == "cursor" for p in operation.get("parameters", []))
        or (path, method) in UNIT_REFERENCES
    ):
        statuses.append("404")  # or a `cursor` the list did not give out, or a unit
    if _is_workflow_write(path, method):
        statuses.append("409")
    if path == SYNC_PATH:
        statuses.append("410")
    if "if-match" in headers:
        statuses += ["412", "428"]
    if has_body:
        statuses += ["413", "415"]
    if path in THROTTLED_PATHS and method == "post":
        statuses.append("429")
    return sorted(statuses)


def add_error(responses: dict[str, Any], status: str) -> None:
    description, component = ERRORS[status]
    response = responses.get(status)
    if response is None:
        responses[status] = {
            "description": description,
            "content": {JSON: {"schema": ref(component)}},
        }
        return
    # Declared by the view or an earlier hook: keep its words (adding ours when they
    # tell of another cause, as the Idempotency-Key hook's 409 does), add the body.
    existing = response.get("description", "")
    if not existing or existing == "No response body":
        response["description"] = description
    elif status in MERGED_DESCRIPTIONS and description not in existing:
        response["description"] = f"{description} Or {existing}"
    if not response.get("content"):
        response["content"] = {JSON: {"schema": ref(component)}}
