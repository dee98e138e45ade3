"""One error envelope for the whole API.

    {"code": "validation_error",
     "message": "Dữ liệu không hợp lệ.",
     "fields": {"due_date": ["..."]}}

`code` is stable and machine-readable; `message` is in the caller's language
(Accept-Language, Vietnamese by default); `fields` holds per-field messages.
Some errors add keys of their own (a 409 names the allowed transitions, a 412
carries the current representation).
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from thads.errors import DomainError

GENERIC_MESSAGES: dict[str, Any] = {
    "validation_error": _("Dữ liệu không hợp lệ."),
    "malformed_request": _("Nội dung yêu cầu không đọc được (JSON sai cú pháp)."),
    "not_authenticated": _("Cần đăng nhập."),
    "authentication_failed": _("Thông tin xác thực không hợp lệ."),
    "invalid_credentials": _("Tên đăng nhập hoặc mật khẩu không đúng."),
    "token_not_valid": _("Mã truy cập không hợp lệ hoặc đã hết hạn."),
    "permission_denied": _("Bạn không có quyền thực hiện thao tác này."),
    "not_found": _("Không tìm thấy."),
    "method_not_allowed": _("Phương thức không được hỗ trợ."),
    "not_acceptable": _("Không đáp ứng được định dạng yêu cầu."),
    "unsupported_media_type": _("Kiểu nội dung không được hỗ trợ."),
    "throttled": _("Quá nhiều yêu cầu. Vui lòng thử lại sau."),
    "request_too_large": _("Nội dung yêu cầu quá lớn."),
    "server_error": _("Lỗi máy chủ."),
}

_CODE_BY_CLASS: list[tuple[type[Exception], str]] = [
    (exceptions.ValidationError, "validation_error"),
    (exceptions.ParseError, "malformed_request"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


def envelope(code: str, message: Any = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "message": str(message if message is not None else GENERIC_MESSAGES.get(code, code)),
    }
    body.update(extra)
    return body


def _as_fields(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def _flatten(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _flatten(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_flatten(v) for v in value]
    return str(value)


def _api_code(exc: exceptions.APIException) -> str:
    detail = exc.detail
    # simplejwt puts its own code inside the detail dict.
    if isinstance(detail, dict) and detail.get("code") == "token_not_valid":
        return "token_not_valid"
    if getattr(exc, "default_code", None) == "no_active_account" or (
        getattr(detail, "code", None) == "no_active_account"
    ):
        return "invalid_credentials"
    if getattr(detail, "code", None) == "token_not_valid":
        return "token_not_valid"
    for klass, code in _CODE_BY_CLASS:
        if isinstance(exc, klass):
            return code
    return getattr(exc, "default_code", "error")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body = envelope(exc.code, exc.message, **exc.extra)
        if exc.fields:
            body["fields"] = _as_fields(exc.fields)
        return Response(body, status=exc.status_code)

    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = exc.message_dict
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling and logging take over

    assert isinstance(exc, exceptions.APIException)
    code = _api_code(exc)
    body = envelope(code)
    if isinstance(exc, exceptions.ValidationError):
        body["fields"] = _as_fields(exc.detail)
    elif isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait + 0.999)
    elif code == "authentication_failed" and not isinstance(exc.detail, dict):
        body["message"] = str(exc.detail)
    response.data = body
    return response
