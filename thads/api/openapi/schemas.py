"""Shapes drf-spectacular gets wrong: a path's `{id}` as an integer, the token
pair that sign-in answers with."""

from __future__ import annotations

from typing import Any

from thads.api.ids import ID_LOOKUP_REGEX, MAX_PATH_ID
from thads.api.openapi.common import JSON, TOKEN_PAIR, ref

PATH_ID_PATTERN = f"^{ID_LOOKUP_REGEX}$"
PATH_ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": MAX_PATH_ID}


def integer_path_ids(operation: dict[str, Any]) -> None:
    """`{id}` as an integer of at most 18 digits: what the lookup regex lets
    through, and what a generated client should take (not a string)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("schema") == {
            "type": "string",
            "pattern": PATH_ID_PATTERN,
        }:
            parameter["schema"] = dict(PATH_ID_SCHEMA)
            parameter.setdefault("description", "The object's id.")


def document_token_pair(result: dict[str, Any]) -> None:
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
    operation["responses"]["200"]["content"] = {JSON: {"schema": ref(TOKEN_PAIR)}}
    if not operation["responses"]["200"].get("description"):
        operation["responses"]["200"]["description"] = "Signed in."
