"""Paths, media type and component names the postprocessing shares."""

from __future__ import annotations

from typing import Any

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


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def header_names(operation: dict[str, Any]) -> set[str]:
    return {
        p.get("name", "").lower()
        for p in operation.get("parameters", [])
        if p.get("in") == "header"
    }
