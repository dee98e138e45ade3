"""Limits and compact lists for phones on bad networks.

- A URI (path and query) longer than REQUEST_MAX_URI_BYTES answers 414 in the
  API's envelope before any view runs (gunicorn's own, HTML, limit is higher:
  tests/thads/test_gunicorn.py).
- A body larger than we accept answers 413 in the API's envelope before any view
  (or authentication) runs, judged from Content-Length: JSON and forms up to
  DATA_UPLOAD_MAX_MEMORY_SIZE, multipart uploads up to REQUEST_MAX_UPLOAD_BYTES.
- `?fields=` trims the assignment list; an unknown field is a 400.
- Lists are gzipped for clients that accept it, and a page never exceeds the cap.
"""

import gzip
import json
from datetime import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.models import Assignment, AssignmentRole
from tests.directives.factories import (
    API,
    FAR_DUE,
    DirectiveFactory,
    DocumentFactory,
    assign_one,
    post_if_match,
)
from thads.clock import LOCAL_TZ

ASSIGNMENTS = f"{API}/assignments/"
DOCUMENTS = f"{API}/documents/"


def _json_of_size(size: int) -> bytes:
    """A JSON object of exactly `size` bytes."""
    skeleton = b'{"title": "", "body": ""}'
    body = b'{"title": "", "body": "' + b"x" * (size - len(skeleton)) + b'"}'
    assert len(body) == size
    return body


def pdf_of_size(size: int) -> bytes:
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    return head + b"0" * (size - len(head))


# --- 414 for an over-long URI ------------------------------------------------------------


def _uri_of_size(size: int) -> str:
    """An assignment-list URI of exactly `size` bytes (a long `q`, in ASCII)."""
    start = f"{ASSIGNMENTS}?q="
    return start + "a" * (size - len(start))


def test_an_over_long_uri_is_414_in_the_envelope_before_authentication(api_client):
    limit = settings.REQUEST_MAX_URI_BYTES

    response = api_client.get(_uri_of_size(limit + 1))

    assert response.status_code == 414
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "uri_too_long",
        "message": f"Địa chỉ yêu cầu quá dài (tối đa {limit} byte); hãy bớt tham số lọc.",
        "limit_bytes": limit,
    }


def test_the_414_answers_in_the_callers_language(api_client, settings):
    settings.REQUEST_MAX_URI_BYTES = 2000

    response = api_client.get(_uri_of_size(2001), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 414
    assert response.json()["message"] == (
        "The request URI is too long (at most 2000 bytes); use fewer filters."
    )


def test_a_uri_at_the_limit_passes_the_middleware(api_client):
    response = api_client.get(_uri_of_size(settings.REQUEST_MAX_URI_BYTES))

    assert response.status_code == 401  # on to authentication


# --- 413 before anything else ------------------------------------------------------------


def test_a_json_body_over_the_limit_is_413_before_authentication(api_client):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = api_client.generic(
        "POST", DOCUMENTS, _json_of_size(limit + 1), content_type="application/json"
    )

    assert response.status_code == 413, response.content[:300]
    body = response.json()
    assert body["code"] == "request_too_large"
    assert body["limit_bytes"] == limit
    assert body["message"]


def test_a_bad_token_does_not_matter_either(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = api_client.generic(
        "PATCH",
        f"{ASSIGNMENTS}1/",
        _json_of_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10),
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_the_413_answers_in_the_callers_language(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

    vietnamese = api_client.generic(
        "POST", DOCUMENTS, _json_of_size(2 * 1024 * 1024 + 1), content_type="application/json"
    )
    english = api_client.generic(
        "POST",
        DOCUMENTS,
        _json_of_size(2 * 1024 * 1024 + 1),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert vietnamese.status_code == english.status_code == 413
    assert vietnamese.json()["code"] == english.json()["code"] == "request_too_large"
    assert vietnamese.json()["message"] == "Nội dung yêu cầu quá lớn (tối đa 2.0 MB)."
    assert english.json()["message"] == "The request body is too large (at most 2.0 MB)."


def test_a_body_at_the_limit_passes_the_middleware(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024

    response = api_client.generic(
        "POST", DOCUMENTS, _json_of_size(64 * 1024), content_type="application/json"
    )

    assert response.status_code == 401  # reached authentication: nobody signed in


def test_a_form_body_over_the_limit_is_413_too(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = api_client.generic(
        "POST",
        DOCUMENTS,
        "title=" + "x" * 2000,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 1024


def test_a_garbled_content_length_is_not_an_error_of_the_middleware(api_client):
    response = api_client.generic(
        "POST", DOCUMENTS, b"{}", content_type="application/json", CONTENT_LENGTH="lots"
    )

    assert response.status_code != 413


@pytest.fixture
def assignment(org, director):
    return assign_one(actor=director, unit=org.hiephoa)


def test_multipart_under_the_upload_limit_passes_the_middleware(
    client_for, officer, assignment, settings
):
    """An upload larger than the JSON limit but within the upload limit reaches the view."""
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 512 * 1024
    assert size < settings.REQUEST_MAX_UPLOAD_BYTES
    assert size < settings.EVIDENCE_MAX_BYTES
    evidence = SimpleUploadedFile("bien-ban.pdf", pdf_of_size(size), "application/pdf")

    response = post_if_match(
        client_for(officer),
        f"{ASSIGNMENTS}{assignment.pk}/progress/",
        {"percent": "60", "note": "Kèm biên bản", "files": [evidence]},
        format="multipart",
    )

    assert response.status_code == 201, response.content[:500]
    assert assignment.reports.get().attachments.get().size == size


def test_multipart_over_the_upload_limit_is_413_before_authentication(api_client, settings):
    settings.REQUEST_MAX_UPLOAD_BYTES = 512 * 1024
    evidence = SimpleUploadedFile("bien-ban.pdf", pdf_of_size(600 * 1024), "application/pdf")

    response = api_client.post(
        f"{ASSIGNMENTS}1/progress/", {"percent": "60", "files": [evidence]}, format="multipart"
    )

    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "request_too_large"
    assert body["limit_bytes"] == 512 * 1024


# --- compact lists -----------------------------------------------------------------------


@pytest.fixture
def many_assignments(org, director):
    """Hiệp Hòa's assignments, as rows: the list only needs them to exist."""

    def make(count: int) -> None:
        document = DocumentFactory(created_by=director)
        directives = DirectiveFactory.create_batch(count, document=document)
        at = datetime(2025, 1, 6, 9, tzinfo=LOCAL_TZ)
        Assignment.objects.bulk_create(
            Assignment(
                directive=directive,
                unit=org.hiephoa,
                role=AssignmentRole.LEAD,
                original_due_date=FAR_DUE,
                due_date=FAR_DUE,
                assigned_by=director,
                assigned_at=at,
            )
            for directive in directives
        )

    return make


def test_fields_trims_each_assignment_of_the_list(client_for, officer, many_assignments):
    many_assignments(3)

    response = client_for(officer).get(ASSIGNMENTS, {"fields": "id,status"})

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert len(rows) == 3
    assert all(set(row) == {"id", "status"} for row in rows)
    assert all(row["status"] == "assigned" for row in rows)


def test_fields_keeps_filters_and_tolerates_spaces(client_for, officer, many_assignments):
    many_assignments(2)

    response = client_for(officer).get(
        ASSIGNMENTS, {"fields": " id , due_date,version ", "status": "assigned"}
    )

    assert response.status_code == 200, response.content
    assert [set(row) for row in response.json()["results"]] == [{"id", "due_date", "version"}] * 2


def test_an_unknown_field_is_400_never_silently_dropped(client_for, officer, many_assignments):
    many_assignments(1)

    response = client_for(officer).get(ASSIGNMENTS, {"fields": "id,password,secret"})

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    message = " ".join(body["fields"]["fields"])
    assert "password" in message and "secret" in message
    english = client_for(officer).get(
        ASSIGNMENTS, {"fields": "id,secret"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["fields"]["fields"] == ["Unknown field(s): secret"]


def test_the_list_is_gzipped_for_clients_that_accept_it(client_for, officer, many_assignments):
    many_assignments(20)
    client = client_for(officer)

    plain = client.get(ASSIGNMENTS)
    zipped = client.get(ASSIGNMENTS, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert plain.status_code == zipped.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    unzipped = gzip.decompress(zipped.content)
    assert json.loads(unzipped) == plain.json()
    assert len(zipped.content) < len(plain.content) / 3


def test_a_page_size_above_the_cap_is_capped(client_for, director, many_assignments, settings):
    cap = settings.API_MAX_PAGE_SIZE
    assert cap == 200
    many_assignments(cap + 5)
    client = client_for(director)

    response = client.get(ASSIGNMENTS, {"page_size": 10_000, "fields": "id"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["results"]) == cap
    assert body["next"]
    rest = client.get(body["next"])
    assert len(rest.json()["results"]) == 5
    assert len(client.get(ASSIGNMENTS, {"page_size": 7}).json()["results"]) == 7
