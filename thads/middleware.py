"""Request limits applied before any view runs."""

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from thads.api.exceptions import envelope
from thads.http import json_response


class RequestSizeLimitMiddleware:
    """Answer in the API's envelope when a request is larger than we accept,
    before anything else reads it:

    - 414 when the URI (path and query) is longer than REQUEST_MAX_URI_BYTES.
      gunicorn refuses request lines past its own `limit_request_line`
      (gunicorn.conf.py) with an HTML page; this limit sits below that one, so
      an over-long URI that reaches Django gets the JSON envelope;
    - 413 when the body is larger: JSON and forms up to
      DATA_UPLOAD_MAX_MEMORY_SIZE, multipart uploads up to the evidence limit per
      file times the files allowed at once. Phones learn it from the
      Content-Length before uploading anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # gunicorn passes the URI as sent (RAW_URI); elsewhere rebuild it.
        uri = request.META.get("RAW_URI") or request.get_full_path()
        if len(uri.encode("utf-8", "surrogateescape")) > settings.REQUEST_MAX_URI_BYTES:
            return self._answer(request, self._too_long, settings.REQUEST_MAX_URI_BYTES)
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
            return self._answer(request, self._too_large, limit)
        return self.get_response(request)

    @staticmethod
    def _answer(request, make, limit: int) -> JsonResponse:
        # Runs before LocaleMiddleware: pick the caller's language here.
        with translation.override(translation.get_language_from_request(request)):
            return make(limit)

    @staticmethod
    def _too_long(limit: int) -> JsonResponse:
        message = _("Địa chỉ yêu cầu quá dài (tối đa %(n)d byte); hãy bớt tham số lọc.")
        return json_response(
            envelope("uri_too_long", message % {"n": limit}, limit_bytes=limit), status=414
        )

    @staticmethod
    def _too_large(limit: int) -> JsonResponse:
        message = _("Nội dung yêu cầu quá lớn (tối đa %(mb).1f MB).")
        return json_response(
            envelope(
                "request_too_large", message % {"mb": limit / (1024 * 1024)}, limit_bytes=limit
            ),
            status=413,
        )
