"""Text arrives in NFD from some phones and Macs; it must be stored in NFC.

The model also normalises on save, so the end-to-end tests use a name that
only fits its 255-character limit once composed: "ệ" is one code point in NFC
and three in NFD. If a parser let NFD through, validation would refuse it.
"""

import io
import json
import unicodedata
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from rest_framework.test import APIRequestFactory

from thads.api.parsers import NFCFormParser, NFCJSONParser, NFCMultiPartParser
from thads.text import fold
from units.models import OrgUnit

UNITS = "/api/v1/units/"
NAME = "Chi cục Thi hành án dân sự huyện Hiệp Hòa " + "ệ" * 200  # 241 code points in NFC
NFD_NAME = unicodedata.normalize("NFD", NAME)
NFD_SHORT = unicodedata.normalize("NFD", "Hiệp Hòa")


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_the_test_name_is_too_long_unless_composed():
    assert len(NAME) <= 255 < len(NFD_NAME)


def _post(client, fmt: str, data: dict):
    if fmt == "json":
        return client.post(UNITS, data, format="json")
    if fmt == "form":
        return client.post(
            UNITS, data=urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    return client.post(UNITS, data, format="multipart")


@pytest.mark.parametrize("fmt", ["json", "form", "multipart"])
def test_nfd_text_posted_is_stored_in_nfc(client_for, director, fmt):
    client = client_for(director)
    response = _post(
        client,
        fmt,
        {"code": f"NFD-{fmt}", "name": NFD_NAME, "short_name": NFD_SHORT, "kind": "office"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == NAME

    unit = OrgUnit.objects.get(code=f"NFD-{fmt}")
    assert unit.name == NAME
    assert unit.short_name == "Hiệp Hòa"
    assert unicodedata.is_normalized("NFC", unit.name)
    assert unit.search_key == f" nfd {fmt} {fold(NAME)} hiep hoa"

    found = client.get(UNITS, {"q": "hiep hoa"}).json()["results"]
    assert unit.id in [row["id"] for row in found]


def test_json_parser_composes_keys_and_nested_values():
    stream = io.BytesIO(json.dumps({_nfd("tên"): [_nfd("Yên Thế"), {"n": 1}]}).encode())
    assert NFCJSONParser().parse(stream) == {"tên": ["Yên Thế", {"n": 1}]}


def test_form_parser_composes_every_value_of_a_repeated_key():
    body = urlencode([("q", _nfd("Lục Ngạn")), ("q", _nfd("Sơn Động"))]).encode()
    parsed = NFCFormParser().parse(
        io.BytesIO(body), "application/x-www-form-urlencoded", {"encoding": "utf-8"}
    )
    assert isinstance(parsed, QueryDict)
    assert parsed.getlist("q") == ["Lục Ngạn", "Sơn Động"]
    assert not parsed._mutable


def test_multipart_parser_composes_fields_and_keeps_files():
    request = APIRequestFactory().post(
        "/",
        {"note": _nfd("Đã xác minh điều kiện"), "files": io.BytesIO(b"%PDF-1.4")},
        format="multipart",
    )
    parser_context = {"request": request, "encoding": "utf-8"}
    parsed = NFCMultiPartParser().parse(request, request.META["CONTENT_TYPE"], parser_context)
    assert parsed.data["note"] == "Đã xác minh điều kiện"
    assert parsed.files["files"].read() == b"%PDF-1.4"
