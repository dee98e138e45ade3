"""Request limits applied before any view runs."""

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Answer 413 in the API's envelope when a request body is larger than we
    accept: JSON and forms up to DATA_UPLOAD_MAX_MEMORY_SIZE, multipart uploads
    up to the evidence limit per file times the files allowed at once. Phones
    learn it from the Content-Length before uploading anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("multipart/"):
            limit = settings.REQUEST_MAX_UPLOAD_BYTES
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            # Runs before LocaleMiddleware: pick the caller's language here.
            with translation.override(translation.get_language_from_request(request)):
                return self._too_large(limit)
        return self.get_response(request)

    @staticmethod
    def _too_large(limit: int) -> JsonResponse:
        return JsonResponse(
            {
                "code": "request_too_large",
                "message": _("Nội dung yêu cầu quá lớn (tối đa %(mb).1f MB).")
                % {"mb": limit / (1024 * 1024)},
                "limit_bytes": limit,
            },
            status=413,
        )
