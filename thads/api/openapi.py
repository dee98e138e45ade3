"""OpenAPI postprocessing: the answers the API really gives, beyond the happy path.

drf-spectacular documents what each view returns when all goes well. This hook
(registered in `SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`, after the enum and
Idempotency-Key hooks) adds to every operation:

- the error answers it can give, each with the one error envelope
  (`thads/api/exceptions.py`), as the `Error` component or a variant of it:

  ====  ==========================================================  ===============
  code  when                                                        where
  ====  ==========================================================  ===============
  400   invalid body, query or header (`validation_error`,          operations with
        `malformed_request`, `idempotency_key_invalid`)             input
  401   no, bad or expired credentials; wrong username/password     all
  403   the caller may not do this (`permission_denied`)            all but sign-in
  404   the object does not exist or is outside the caller's scope; detail routes,
        a list's `cursor` it did not give out; a unit named in      cursor lists,
        a statistics body or query                                  statistics
  409   the assignment's or request's status forbids the action     workflow writes
        (`transition_not_allowed`, with `status`, `allowed_actions`)
  410   expired or unknown sync token                               `sync/`
  412   `If-Match` is stale (`version_mismatch`, with `current`)    If-Match writes
  413   body over the size limit (`request_too_large`)              with a body
  414   path and query over REQUEST_MAX_URI_BYTES (`uri_too_long`)  all
  415   body in a media type the operation does not read            with a body
  428   `If-Match` missing (`precondition_required`)                If-Match writes
  429   too many sign-in attempts (`throttled`, `retry_after`)      sign-in
  ====  ==========================================================  ===============

  An answer a view already declares keeps its description; it gains the envelope
  as its body when it had none.
- the `ETag` header on `GET assignments/{id}/` (200 and 304) and on the
  assignment writes that answer with the assignment; `Retry-After` on 429.
- a path's `{id}` as the integer it is: the routers match it with
  `ID_LOOKUP_REGEX` (thads/api/ids.py), which drf-spectacular would publish as a
  string with a pattern;
- the token pair that `POST auth/token/` answers with (simplejwt's serializer
  declares no output fields);
- `examples` for the main contract calls: sign-in, the assignment list, assign,
  progress and sync.

`tests/contract/` checks the result against the running API.
"""

from __future__ import annotations

import copy
from typing import Any

from thads.api.ids import ID_LOOKUP_REGEX, MAX_PATH_ID

API_PREFIX = "/api/v1/"
AUTH_PREFIX = "/api/v1/auth/"
THROTTLED_PATHS = ("/api/v1/auth/token/", "/api/v1/auth/token/refresh/")
SYNC_PATH = "/api/v1/sync/"
ASSIGNMENT_DETAIL = "/api/v1/assignments/{id}/"
STATISTICS_REPORTS = "/api/v1/statistics/reports/"
# Operations whose body or query names a unit: one outside the caller's scope
# (or none at all) is a 404 like a detail route's.
UNIT_REFERENCES = {(STATISTICS_REPORTS, "post"), ("/api/v1/statistics/summary/", "get")}
JSON = "application/json"
METHODS = ("get", "put", "patch", "post", "delete")

ERROR = "Error"
ERROR_CONFLICT = "ErrorConflict"
ERROR_PRECONDITION_FAILED = "ErrorPreconditionFailed"
ERROR_TOO_LARGE = "ErrorTooLarge"
ERROR_URI_TOO_LONG = "ErrorUriTooLong"
ERROR_THROTTLED = "ErrorThrottled"
TOKEN_PAIR = "TokenPair"  # noqa: S105 - a component name, not a secret


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_components(has_assignment: bool) -> dict[str, dict[str, Any]]:
    current: dict[str, Any] = _ref("Assignment") if has_assignment else {"type": "object"}
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
                _ref(ERROR),
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
                _ref(ERROR),
                {"type": "object", "properties": {"current": current}, "required": ["current"]},
            ],
        },
        ERROR_TOO_LARGE: {
            "description": "A 413 (`request_too_large`): the body is over the limit.",
            "allOf": [
                _ref(ERROR),
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
                _ref(ERROR),
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
                _ref(ERROR),
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

ETAG_HEADER = {
    "description": 'The assignment\'s validator, weak (`W/"..."`) on every answer, '
    "compressed or not: send it back as If-Match to write (with or without the `W/`), "
    "or as If-None-Match to get a 304 when nothing changed.",
    "required": True,
    "schema": {"type": "string"},
}
RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before trying again.",
    "required": False,
    "schema": {"type": "integer"},
}


def _header_names(operation: dict[str, Any]) -> set[str]:
    return {
        p.get("name", "").lower()
        for p in operation.get("parameters", [])
        if p.get("in") == "header"
    }


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
    headers = _header_names(operation)
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


def _add_error(responses: dict[str, Any], status: str) -> None:
    description, component = ERRORS[status]
    response = responses.get(status)
    if response is None:
        responses[status] = {
            "description": description,
            "content": {JSON: {"schema": _ref(component)}},
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
        response["content"] = {JSON: {"schema": _ref(component)}}


def _returns_assignment(response: dict[str, Any] | None) -> bool:
    schema = ((response or {}).get("content") or {}).get(JSON, {}).get("schema")
    return schema == _ref("Assignment")


PATH_ID_PATTERN = f"^{ID_LOOKUP_REGEX}$"
PATH_ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": MAX_PATH_ID}


def _integer_path_ids(operation: dict[str, Any]) -> None:
    """`{id}` as an integer of at most 18 digits: what the lookup regex lets
    through, and what a generated client should take (not a string)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("schema") == {
            "type": "string",
            "pattern": PATH_ID_PATTERN,
        }:
            parameter["schema"] = dict(PATH_ID_SCHEMA)
            parameter.setdefault("description", "The object's id.")


def _add_headers(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    headers = _header_names(operation)
    etag_statuses: list[str] = []
    if path == ASSIGNMENT_DETAIL and method == "get":
        etag_statuses = [s for s in ("200", "304") if s in responses]
    elif "if-match" in headers and _returns_assignment(responses.get("200")):
        etag_statuses = ["200"]
    for status in etag_statuses:
        responses[status].setdefault("headers", {})["ETag"] = dict(ETAG_HEADER)
    retry_after = ["429"]
    if "idempotency-key" in headers:
        retry_after.append("409")  # `idempotency_key_in_progress` says when to retry
    for status in retry_after:
        if status in responses:
            responses[status].setdefault("headers", {})["Retry-After"] = dict(RETRY_AFTER_HEADER)


def _document_token_pair(result: dict[str, Any]) -> None:
    """simplejwt's serializers declare no output fields: say what sign-in answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    operation = result.get("paths", {}).get("/api/v1/auth/token/", {}).get("post")
    if operation is None or "200" not in operation["responses"]:
        return
    schemas[TOKEN_PAIR] = {
        "type": "object",
        "description": "A JWT pair: send `Authorization: Bearer <access>`; trade `refresh` "
        "for a new pair at `auth/token/refresh/`. `session` is this device's sign-in "
        "session (revoke it at `sessions/{id}/revoke/`).",
        "properties": {
            "access": {"type": "string", "readOnly": True, "description": "Short-lived."},
            "refresh": {"type": "string", "readOnly": True},
            "session": {"type": "integer", "readOnly": True},
        },
        "required": ["access", "refresh", "session"],
    }
    operation["responses"]["200"]["content"] = {JSON: {"schema": _ref(TOKEN_PAIR)}}
    if not operation["responses"]["200"].get("description"):
        operation["responses"]["200"]["description"] = "Signed in."


# --- examples ------------------------------------------------------------------------

_ACCESS = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl"
_REFRESH = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl"

_ASSIGNMENT = {
    "id": 42,
    "directive": 7,
    "directive_label": "3",
    "directive_title": "Rà soát, phân loại án tồn đọng có điều kiện thi hành",
    "document": 1,
    "unit": 12,
    "unit_code": "CC-HIEPHOA",
    "unit_name": "Chi cục Thi hành án dân sự huyện Hiệp Hòa",
    "role": "lead",
    "status": "in_progress",
    "progress": 60,
    "due_date": "2026-06-30",
    "original_due_date": "2026-06-30",
    "timeliness": "open_on_time",
    "version": 4,
    "extension_count": 0,
    "return_count": 0,
    "assigned_at": "2026-04-22T09:00:00+07:00",
    "acknowledged_by": 5,
    "acknowledged_at": "2026-04-23T08:15:00+07:00",
    "reported_at": None,
    "completed_at": None,
    "cancelled_at": None,
    "latest_report": {
        "id": 88,
        "kind": "progress",
        "percent": 60,
        "note": "Đã rà soát 120/200 hồ sơ.",
        "created_at": "2026-05-15T16:30:00+07:00",
    },
    "allowed_actions": ["progress", "request_extension", "complete"],
    "updated_at": "2026-05-15T16:30:00+07:00",
}

_REPORT = {
    "id": 89,
    "assignment": 42,
    "kind": "progress",
    "author": "hiephoa.officer",
    "percent": 75,
    "note": "Đã rà soát 150/200 hồ sơ.",
    "figures": {"reviewed_cases": 150, "total_cases": 200},
    "client_uuid": "0b7e8c1e-3f1a-4d55-9a61-0f3c2a1b9d10",
    "attachments": [],
    "created_at": "2026-05-20T10:05:00+07:00",
}


def _error_example(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"value": {"code": code, "message": message, **extra}}


def _set_examples(content: dict[str, Any] | None, examples: dict[str, Any]) -> None:
    if content is not None and JSON in content:
        content[JSON]["examples"] = examples


def _add_examples(result: dict[str, Any]) -> None:
    paths = result.get("paths", {})

    def operation(path: str, method: str) -> dict[str, Any] | None:
        return paths.get(path, {}).get(method)

    def response_content(op: dict[str, Any], status: str) -> dict[str, Any] | None:
        return op["responses"].get(status, {}).get("content")

    validation = _error_example(
        "validation_error",
        "Dữ liệu không hợp lệ.",
        fields={"due_date": ["Ngày không hợp lệ."]},
    )

    if op := operation("/api/v1/auth/token/", "post"):
        _set_examples(
            op.get("requestBody", {}).get("content"),
            {
                "officer": {
                    "summary": "A unit officer signs in from a phone (demo login)",
                    "value": {
                        "username": "hiephoa.officer",
                        "password": "thads-demo",
                        "device_id": "a1f3c9e2-7d41-4c7e-9b0a-3d5e6f708192",
                        "device_name": "Android — Samsung A54",
                    },
                }
            },
        )
        _set_examples(
            response_content(op, "200"),
            {"pair": {"value": {"access": _ACCESS, "refresh": _REFRESH, "session": 17}}},
        )
        _set_examples(
            response_content(op, "401"),
            {
                "wrong_password": _error_example(
                    "invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng."
                )
            },
        )
        _set_examples(
            response_content(op, "429"),
            {
                "throttled": _error_example(
                    "throttled", "Quá nhiều yêu cầu. Vui lòng thử lại sau.", retry_after=42
                )
            },
        )

    if op := operation("/api/v1/assignments/", "get"):
        _set_examples(
            response_content(op, "200"),
            {
                "page": {
                    "summary": "?unit=12&status=in_progress",
                    "value": {
                        "next": "https://thads.example.org/api/v1/assignments/?cursor=cD00Mg%3D%3D",
                        "previous": None,
                        "results": [_ASSIGNMENT],
                    },
                }
            },
        )

    if op := operation("/api/v1/directives/{id}/assign/", "post"):
        _set_examples(
            op.get("requestBody", {}).get("content"),
            {
                "two_units": {
                    "summary": "Hiệp Hòa leads, Yên Thế coordinates",
                    "value": {"units": [12, 20], "lead_unit": 12, "due_date": "2026-06-30"},
                }
            },
        )
        created = [
            {**_ASSIGNMENT, "status": "assigned", "progress": 0, "version": 1},
        ]
        _set_examples(response_content(op, "201"), {"created": {"value": created}})
        _set_examples(
            response_content(op, "409"),
            {
                "already_assigned": _error_example(
                    "unit_already_assigned", "Đơn vị đã được giao nhiệm vụ này."
                )
            },
        )
        _set_examples(response_content(op, "400"), {"invalid": validation})

    if op := operation("/api/v1/assignments/{id}/progress/", "post"):
        _set_examples(
            op.get("requestBody", {}).get("content"),
            {
                "progress": {
                    "summary": "75 % done (send If-Match: the assignment's ETag)",
                    "value": {
                        "percent": 75,
                        "note": "Đã rà soát 150/200 hồ sơ.",
                        "client_uuid": "0b7e8c1e-3f1a-4d55-9a61-0f3c2a1b9d10",
                    },
                }
            },
        )
        _set_examples(response_content(op, "201"), {"report": {"value": _REPORT}})
        _set_examples(
            response_content(op, "409"),
            {
                "not_now": _error_example(
                    "transition_not_allowed",
                    "Không thể báo cáo tiến độ khi nhiệm vụ đang ở trạng thái “Hoàn thành”. "
                    "Thao tác được phép: không có.",
                    status="done",
                    allowed_actions=[],
                )
            },
        )
        _set_examples(
            response_content(op, "412"),
            {
                "stale": _error_example(
                    "version_mismatch",
                    "Nhiệm vụ đã được thay đổi bởi người khác; hãy tải lại rồi thử lại.",
                    current=_ASSIGNMENT,
                )
            },
        )
        _set_examples(
            response_content(op, "428"),
            {
                "no_if_match": _error_example(
                    "precondition_required",
                    "Cần gửi tiêu đề If-Match với ETag hiện tại của nhiệm vụ.",
                )
            },
        )

    if op := operation(SYNC_PATH, "get"):
        _set_examples(
            response_content(op, "200"),
            {
                "delta": {
                    "summary": "?since=<the last next_token>",
                    "value": {
                        "changes": [{"type": "assignment", "id": 42, "data": _ASSIGNMENT}],
                        "deleted": [{"type": "notification", "id": 301}],
                        "next_token": ".eJyrVipKLS7NKVGyUjI0MDAwMzI2NjE1MFCqBQBBqgW_"
                        ":1uXk2p:Zb0c7kq3Wm8yXoJ1u2yPqQ2mUuS1i3Ydk3uE3m9sQ0s",
                        "has_more": False,
                    },
                }
            },
        )
        _set_examples(
            response_content(op, "410"),
            {
                "expired": _error_example(
                    "sync_token_expired",
                    "Mã đồng bộ đã hết hạn; hãy đồng bộ lại từ đầu (bỏ tham số since).",
                )
            },
        )


# --- the hook ------------------------------------------------------------------------


def postprocess_errors_headers_examples(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: errors, headers and examples (see above)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in _error_components("Assignment" in schemas).items():
        schemas.setdefault(name, copy.deepcopy(component))
    for path, operations in result.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            _integer_path_ids(operation)
            responses = operation.setdefault("responses", {})
            for status in error_statuses(path, method, operation):
                _add_error(responses, status)
            # Errors declared elsewhere (the Idempotency-Key hook's 409 and 422, a
            # view's 404 or 422) are the same envelope.
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400 and not response.get("content"):
                    component = ERRORS.get(status, ("", ERROR))[1]
                    response["content"] = {JSON: {"schema": _ref(component)}}
            _add_headers(path, method, operation)
    _document_token_pair(result)
    _add_examples(result)
    return result
