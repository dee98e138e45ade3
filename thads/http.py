"""JSON answers made outside DRF's renderer (middleware, error handlers)."""

from typing import Any

from django.http import JsonResponse


def json_response(data: Any, *, status: int = 200) -> JsonResponse:
    """JSON as the API's renderer writes it: UTF-8 text ("Không tìm thấy."), never
    `\\u` escapes, whichever layer answers."""
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
