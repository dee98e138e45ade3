"""Sync tokens: signed, naming the caller, a position and the units they could see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from thads.errors import DomainError
from units.selectors import Scope

TOKEN_SALT = "thads.sync.v1"  # noqa: S105 - a signing namespace, not a secret
SYNC_TOKEN_EXPIRED = "sync_token_expired"  # noqa: S105 - error codes
SYNC_TOKEN_INVALID = "sync_token_invalid"  # noqa: S105


def _units_of(scope: Scope) -> list[int] | str:
    return "*" if scope.visible_unit_ids is None else sorted(scope.visible_unit_ids)


def make_token(payload: dict[str, Any]) -> str:
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def _invalid() -> DomainError:
    return DomainError(
        SYNC_TOKEN_INVALID,
        _("Mã đồng bộ không hợp lệ; hãy đồng bộ lại từ đầu (bỏ tham số since)."),
        status_code=410,
    )


def read_token(token: str, *, user) -> dict[str, Any]:
    max_age = timedelta(days=settings.SYNC_TOKEN_TTL_DAYS)
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise DomainError(
            SYNC_TOKEN_EXPIRED,
            _("Mã đồng bộ đã hết hạn; hãy đồng bộ lại từ đầu (bỏ tham số since)."),
            status_code=410,
        ) from exc
    except signing.BadSignature as exc:
        raise _invalid() from exc
    if (
        payload.get("uid") != user.pk
        or payload.get("m") not in ("delta", "full")
        or "u" not in payload  # a token of an earlier release: start over
    ):
        raise _invalid()
    return payload
