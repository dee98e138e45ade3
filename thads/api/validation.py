from typing import Any

from rest_framework.request import Request


def validated(serializer_class, request: Request, **context: Any) -> dict[str, Any]:
    """Validate a request body with an input serializer; a 400 envelope otherwise."""
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
