"""The one error envelope: `{code, message, fields?}` for every failure the API answers."""

import json

import pytest

from units.models import OrgUnit, UnitChange

UNITS = "/api/v1/units/"


@pytest.fixture
def leader(client_for, director):
    return client_for(director)


def test_malformed_json_is_400_malformed_request_and_writes_nothing(leader):
    before = OrgUnit.objects.count()
    response = leader.post(UNITS, data=b'{"code": "X", ', content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_request",
        "message": "Nội dung yêu cầu không đọc được (JSON sai cú pháp).",
    }
    assert OrgUnit.objects.count() == before


def test_wrong_types_are_400_validation_error_with_a_message_per_field(leader):
    before = (OrgUnit.objects.count(), UnitChange.objects.count())
    response = leader.post(
        UNITS,
        {"code": 12, "name": ["not", "text"], "kind": 5, "parent": "abc", "valid_from": 5},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"] == "Dữ liệu không hợp lệ."
    # `code` 12 is accepted as the string "12"; everything else is wrong.
    assert set(body["fields"]) == {"name", "kind", "parent", "valid_from"}
    assert all(
        isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
        for messages in body["fields"].values()
    )
    assert (OrgUnit.objects.count(), UnitChange.objects.count()) == before


def test_over_long_strings_are_400_validation_error_naming_the_fields(leader):
    response = leader.post(
        UNITS, {"code": "C" * 33, "name": "Đ" * 256, "kind": "office"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == {"code", "name"}
    assert not OrgUnit.objects.filter(kind="office", code__startswith="CCC").exists()


def test_messages_are_vietnamese_by_default(leader):
    response = leader.post(UNITS, {"kind": "bogus"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Dữ liệu không hợp lệ."
    assert response["Content-Language"] == "vi"


def test_accept_language_vi_gives_vietnamese(leader):
    response = leader.post(UNITS, {}, format="json", HTTP_ACCEPT_LANGUAGE="vi,en;q=0.5")
    assert response.json()["message"] == "Dữ liệu không hợp lệ."


def test_field_messages_are_vietnamese_by_default(leader):
    response = leader.post(UNITS, {"code": "C" * 33}, format="json")
    fields = response.json()["fields"]
    assert fields["name"] != ["This field is required."]
    assert "Ensure this field" not in fields["code"][0]


def test_accept_language_en_keeps_the_code_and_the_fields(leader):
    response = leader.post(UNITS, {"kind": "bogus"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == {"code", "name", "kind"}


def test_accept_language_en_gives_an_english_message(leader):
    response = leader.post(UNITS, {"kind": "bogus"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == "Invalid data."
    assert response["Content-Language"] == "en"
    assert response.json()["fields"]["name"] == ["This field is required."]


def test_domain_error_messages_follow_accept_language(leader, org):
    url = f"{UNITS}{org.hiephoa.id}/"
    english = leader.patch(
        url, {"parent": org.hiephoa.id}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    vietnamese = leader.patch(url, {"parent": org.hiephoa.id}, format="json")
    assert english.json()["code"] == vietnamese.json()["code"] == "unit_cycle"
    assert english.json()["message"] == "A unit cannot be its own parent."
    assert vietnamese.json()["message"] == "Một đơn vị không thể là cấp trên của chính nó."


def test_an_unknown_language_falls_back_to_vietnamese(api_client, org):
    response = api_client.get(UNITS, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["message"] == "Cần đăng nhập."
    english = api_client.get(UNITS, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert english.json() == {"code": "not_authenticated", "message": "Authentication required."}


def test_no_token_is_401_not_authenticated_with_a_bearer_challenge(api_client, org):
    response = api_client.get(UNITS)
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "Cần đăng nhập."}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_garbage_token_is_401_token_not_valid(api_client, org):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    response = api_client.get(UNITS)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_unknown_object_is_404_not_found(leader):
    response = leader.get(f"{UNITS}999999/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy."}


def test_an_unknown_api_path_is_404_in_the_envelope(leader):
    response = leader.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_a_verb_the_endpoint_lacks_is_405_method_not_allowed(leader, org, method):
    response = getattr(leader, method)(f"{UNITS}{org.team.id}/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "PATCH" in response["Allow"]
    assert OrgUnit.objects.filter(pk=org.team.pk).exists()


def test_unsupported_media_type_is_415_in_the_envelope(leader):
    response = leader.post(UNITS, data="<unit/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_domain_errors_use_the_envelope_with_their_own_code(leader, org):
    response = leader.post(
        UNITS, {"code": org.yenthe.code, "name": "Trùng mã", "kind": "office"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unit_code_taken"
    assert body["message"] == "Mã đơn vị đã tồn tại."
    assert body["fields"] == {"code": ["Mã đơn vị đã tồn tại."]}


def test_an_unexpected_error_under_the_api_is_500_in_the_envelope(leader, monkeypatch):
    def crash(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("units.views.UnitViewSet.list", crash)
    # Answer as a server would instead of re-raising (restored after the test).
    monkeypatch.setattr(leader, "raise_request_exception", False)

    response = leader.get(UNITS, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "server_error", "message": "Server error."}


# --- one encoding: UTF-8 ------------------------------------------------------------------


def _answers(api_client, leader, settings):
    """An error from each layer that answers: the URL resolver's 404, the request
    limits (414, 413), DRF's handler (400), the 500 handler, the Idempotency-Key
    middleware (400)."""
    from django.test import RequestFactory

    from thads.views import server_error

    settings.REQUEST_MAX_URI_BYTES = 100
    yield api_client.get("/api/v1/khong-co/")
    yield api_client.get("/api/v1/units/?q=" + "a" * 100)
    yield api_client.generic(
        "POST", UNITS, b"{}", content_type="application/json", CONTENT_LENGTH="999999999"
    )
    yield leader.post(UNITS, {"kind": "bogus"}, format="json")
    yield server_error(RequestFactory().get("/api/v1/units/"))
    yield leader.post(UNITS, {"kind": "office"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)


def test_every_error_body_is_utf8_text_never_ascii_escapes(api_client, leader, settings):
    statuses = []
    for response in _answers(api_client, leader, settings):
        raw = response.content
        message = json.loads(raw)["message"]
        statuses.append(response.status_code)
        assert not message.isascii(), message  # Vietnamese, so escaping would show
        assert b"\\u" not in raw, raw
        assert message.encode("utf-8") in raw
    assert statuses == [404, 414, 413, 400, 500, 400]
