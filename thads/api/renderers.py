from decimal import Decimal

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer


def _default(value):
    # What orjson does not know natively: lazy translations and decimals.
    if isinstance(value, (Promise, Decimal)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class ORJSONRenderer(JSONRenderer):
    """JSON through orjson: the same JSON as DRF's renderer for our data
    (UTF-8, compact), a few times faster on a 100-row page."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
        return orjson.dumps(data, default=_default, option=option)
