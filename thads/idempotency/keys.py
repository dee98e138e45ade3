"""The header, its error codes and messages, and which requests it covers."""

from __future__ import annotations

import re
from typing import Any

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from thads.api.exceptions import envelope
from thads.http import json_response

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
API_PREFIX = "/api/"
# Sign-in, refresh and verify answer with tokens: never stored, never replayed.
EXCLUDED_PREFIXES = ("/api/v1/auth/",)

KEY_INVALID = "idempotency_key_invalid"
KEY_REUSED = "idempotency_key_reused"
KEY_IN_PROGRESS = "idempotency_key_in_progress"

MESSAGES = {
    KEY_INVALID: _("Tiêu đề Idempotency-Key phải gồm từ 1 đến 255 ký tự ASCII in được."),
    KEY_REUSED: _(
        "Idempotency-Key này đã được dùng cho một yêu cầu khác; "
        "hãy dùng một khóa mới cho yêu cầu mới."
    ),
    KEY_IN_PROGRESS: _(
        "Yêu cầu trước với cùng Idempotency-Key đang được xử lý; hãy thử lại sau giây lát."
    ),
}

# Printable ASCII, space included; or an RFC 8941 sf-string (the draft's syntax),
# whose quotes are not part of the key.
_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_SF_STRING = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')
_SF_ESCAPE = re.compile(r'\\(["\\])')


def parse_key(value: str) -> str | None:
    """The key a header value names, or None when it is not a valid key."""
    value = value.strip(" \t")
    quoted = _SF_STRING.fullmatch(value)
    if quoted:
        value = _SF_ESCAPE.sub(r"\1", quoted.group(1))
    return value if _KEY.fullmatch(value) else None


def covered_path(path: str) -> bool:
    """Whether a POST to `path` takes the header: under `/api/`, not a sign-in endpoint."""
    return path.startswith(API_PREFIX) and not path.startswith(EXCLUDED_PREFIXES)


def error_response(status: int, code: str, **extra: Any) -> JsonResponse:
    return json_response(envelope(code, MESSAGES[code], **extra), status=status)


def in_progress_response() -> JsonResponse:
    # `retry_after` in the body too, as a throttled answer has it.
    response = error_response(409, KEY_IN_PROGRESS, retry_after=1)
    response["Retry-After"] = "1"
    return response
