"""Errors that services raise and the API turns into the one error envelope.

A service raises `DomainError(code, message, ...)`; the code is a stable
machine-readable string (the constants below and in each app's `errors`),
the message a lazily translated sentence, rendered in the caller's language.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400

    def __init__(
        self,
        code: str,
        message: Any,
        *,
        fields: dict[str, list[Any]] | None = None,
        extra: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(DomainError):
    status_code = 404

    def __init__(self, message: Any = None) -> None:
        super().__init__("not_found", message or _("Không tìm thấy."))


def found(obj):
    """The object, or the API's 404 when a selector did not find it (or hid it)."""
    if obj is None:
        raise NotFoundError()
    return obj


class ConflictError(DomainError):
    status_code = 409
