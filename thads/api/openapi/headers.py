"""Response headers: `ETag` on the assignment answers, `Retry-After` on 429 (and
the Idempotency-Key 409)."""

from __future__ import annotations

from typing import Any

from thads.api.openapi.common import ASSIGNMENT_DETAIL, JSON, header_names, ref

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


def _returns_assignment(response: dict[str, Any] | None) -> bool:
    schema = ((response or {}).get("content") or {}).get(JSON, {}).get("schema")
    return schema == ref("Assignment")


def add_headers(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    headers = header_names(operation)
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
