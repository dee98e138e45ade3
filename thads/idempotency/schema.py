"""The header and its answers in the OpenAPI schema (a drf-spectacular hook)."""

from __future__ import annotations

from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from thads.idempotency.keys import HEADER, covered_path

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes a retry safe (draft-ietf-httpapi-idempotency-key-header). 1–255 printable "
        "ASCII characters, unique per request, e.g. a UUID; scoped to the caller. A retry "
        "with the same key and the same request (method, path, body) gets the first "
        "response again, status and body unchanged, with `Idempotent-Replayed: true`, "
        "and does nothing twice. The same key with another request: 422 "
        "`idempotency_key_reused`. The same key while the first request is still "
        "running: 409 `idempotency_key_in_progress` with `Retry-After: 1`. An invalid "
        "key: 400 `idempotency_key_invalid`. 5xx answers, and 401, 408, 412, 425, 428 and 429, "
        "are not kept, so the key may be retried. Keys are kept for "
        "IDEMPOTENCY_TTL_HOURS (24 h by default); after that the key is new again."
    ),
)

_SCHEMA_RESPONSES = {
    "409": "`idempotency_key_in_progress`: a request with this Idempotency-Key is still "
    "running; retry after `Retry-After` seconds.",
    "422": "`idempotency_key_reused`: this Idempotency-Key was used for another request.",
}


def schema_add_idempotency_key(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the header and its answers on every POST
    the middleware covers."""
    parameter = build_parameter_type(
        name=IDEMPOTENCY_KEY.name,
        schema=build_basic_type(IDEMPOTENCY_KEY.type),
        location=IDEMPOTENCY_KEY.location,
        required=IDEMPOTENCY_KEY.required,
        description=IDEMPOTENCY_KEY.description,
    )
    for path, operations in result.get("paths", {}).items():
        operation = operations.get("post")
        if operation is None or not covered_path(path):
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(
            p.get("in") == "header" and p.get("name", "").lower() == HEADER.lower()
            for p in parameters
        ):
            parameters.append(dict(parameter))
        responses = operation.setdefault("responses", {})
        for status, description in _SCHEMA_RESPONSES.items():
            if status in responses:
                existing = responses[status].get("description", "")
                responses[status]["description"] = f"{existing} Or {description}".strip()
            else:
                responses[status] = {"description": description}
    return result
