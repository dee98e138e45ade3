"""Request parsers that store Vietnamese text in NFC whatever the client sent."""

from django.http import QueryDict
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from thads.text import nfc, nfc_deep


def _nfc_querydict(data: QueryDict) -> QueryDict:
    normalised = QueryDict(mutable=True)
    for key, values in data.lists():
        normalised.setlist(nfc(key), [nfc(v) if isinstance(v, str) else v for v in values])
    normalised._mutable = False
    return normalised


class NFCJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return nfc_deep(super().parse(stream, media_type, parser_context))


class NFCFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _nfc_querydict(super().parse(stream, media_type, parser_context))


class NFCMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        parsed.data = _nfc_querydict(parsed.data)
        return parsed
