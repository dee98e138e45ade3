"""`Idempotency-Key` on POSTs (thads/idempotency.py), through the HTTP API.

The middleware sees the user the way production does, from the session or the
JWT, not from DRF's `force_authenticate`; so these clients sign in for real
(`client_for(user, jwt=True)`) or log in a session.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.test.client import encode_multipart
from django.utils import timezone

from directives import services
from directives.models import Assignment, Attachment, ProgressReport
from tests.directives.factories import DirectiveFactory, DocumentFactory, assign_one, etag
from tests.factories import PASSWORD
from thads import idempotency
from thads.models import IdempotencyRecord
from thads.tasks import idempotency_cleanup

API = "/api/v1"
KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


def pdf_bytes(padding: int = 0) -> bytes:
    return (
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n" + b"%" * padding
    )


@pytest.fixture
def assignment(org, director) -> Assignment:
    directive = DirectiveFactory(document=DocumentFactory(created_by=director))
    return assign_one(actor=director, unit=org.hiephoa, directive=directive)


@pytest.fixture
def officer_api(client_for, officer):
    """Hiệp Hòa's officer, signed in with a JWT as the phone app is."""
    return client_for(officer, jwt=True)


def progress_url(assignment: Assignment) -> str:
    return f"{API}/assignments/{assignment.pk}/progress/"


def post(client, path, data=None, *, key: str | None = KEY, tag: str | None = None, **extra):
    """POST with the Idempotency-Key `key` (None: no header) and, for an assignment's
    endpoint, If-Match `tag` (default: the current ETag)."""
    headers = dict(extra)
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    if "/assignments/" in path:
        assignment_id = int(path.split("/assignments/")[1].split("/")[0])
        headers["HTTP_IF_MATCH"] = tag if tag is not None else etag(client, assignment_id)
    headers.setdefault("format", "json")
    return client.post(path, data or {}, **headers)


def report_count() -> int:
    return ProgressReport.objects.count()


def record_count() -> int:
    return IdempotencyRecord.objects.count()


# --- replay -------------------------------------------------------------------------


def test_a_retry_gets_the_first_response_and_creates_one_report(officer_api, assignment):
    first_tag = etag(officer_api, assignment.pk)
    body = {"percent": 40, "note": "Đã xác minh 12 việc"}

    first = post(officer_api, progress_url(assignment), body, tag=first_tag)
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first

    # The version has moved on, and the retry still carries the first request's
    # If-Match: a replay never reaches the view, so the precondition is not re-checked.
    assert etag(officer_api, assignment.pk) != first_tag
    replays = [post(officer_api, progress_url(assignment), body, tag=first_tag) for _ in range(3)]

    for replay in replays:
        assert replay.status_code == 201
        assert replay.content == first.content
        assert replay["Content-Type"] == first["Content-Type"]
        assert replay["Idempotent-Replayed"] == "true"
    assert report_count() == 1
    # Without the key, the same stale If-Match is refused: the replay above was not luck.
    stale = post(officer_api, progress_url(assignment), body, key=None, tag=first_tag)
    assert stale.status_code == 412


def test_a_replay_repeats_the_etag_header_and_changes_the_version_once(officer_api, assignment):
    url = f"{API}/assignments/{assignment.pk}/acknowledge/"
    tag = etag(officer_api, assignment.pk)

    first = post(officer_api, url, tag=tag)
    replay = post(officer_api, url, tag=tag)

    assert first.status_code == 200, first.content
    assert (replay.status_code, replay.content) == (200, first.content)
    assert replay["ETag"] == first["ETag"]
    assert replay["Idempotent-Replayed"] == "true"
    assignment.refresh_from_db()
    assert (assignment.status, assignment.version) == ("acknowledged", 2)


def test_a_session_user_gets_replays_too(api_client, officer, assignment):
    api_client.force_login(officer)
    body = {"percent": 10}

    first = post(api_client, progress_url(assignment), body)
    replay = post(api_client, progress_url(assignment), body)

    assert first.status_code == 201, first.content
    assert (replay.status_code, replay.content) == (201, first.content)
    assert replay["Idempotent-Replayed"] == "true"
    assert report_count() == 1


def test_a_quoted_key_is_the_same_key_unquoted(officer_api, assignment):
    """The draft makes the header an RFC 8941 sf-string: the quotes are syntax."""
    body = {"percent": 20}

    first = post(officer_api, progress_url(assignment), body, key="abc-1")
    replay = post(officer_api, progress_url(assignment), body, key='"abc-1"')

    assert replay["Idempotent-Replayed"] == "true"
    assert replay.content == first.content
    assert IdempotencyRecord.objects.get().key == "abc-1"
    # Not an sf-string: printable ASCII all the same, so a key of its own, quote included.
    half_quoted = post(officer_api, progress_url(assignment), {"percent": 21}, key='"abc-1')
    assert half_quoted.status_code == 201
    assert IdempotencyRecord.objects.filter(key='"abc-1').exists()


def test_a_replay_keeps_the_language_of_the_first_answer(officer_api, assignment):
    body = {"percent": 150}

    first = post(officer_api, progress_url(assignment), body, HTTP_ACCEPT_LANGUAGE="en")
    replay = post(officer_api, progress_url(assignment), body)

    assert first.json()["message"] == "Invalid data."
    assert replay.content == first.content
    assert replay["Content-Language"] == "en"


# --- refusals -------------------------------------------------------------------------


def test_the_same_key_with_another_body_is_422_and_writes_nothing(officer_api, assignment):
    post(officer_api, progress_url(assignment), {"percent": 40})

    response = post(officer_api, progress_url(assignment), {"percent": 41})

    assert response.status_code == 422
    assert response.json() == {
        "code": "idempotency_key_reused",
        "message": (
            "Idempotency-Key này đã được dùng cho một yêu cầu khác; "
            "hãy dùng một khóa mới cho yêu cầu mới."
        ),
    }
    assert report_count() == 1


def test_the_same_key_on_another_endpoint_is_422(officer_api, assignment):
    post(officer_api, progress_url(assignment), {"percent": 40})

    response = post(officer_api, f"{API}/assignments/{assignment.pk}/acknowledge/")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


def test_the_same_key_while_the_first_is_running_is_409_with_retry_after(officer_api, assignment):
    body = {"percent": 40}
    tag = etag(officer_api, assignment.pk)
    post(officer_api, progress_url(assignment), body, tag=tag)
    # As if the first request had claimed the key and were still in the view.
    IdempotencyRecord.objects.update(
        state=IdempotencyRecord.State.IN_PROGRESS,
        status_code=None,
        response_body=b"",
        completed_at=None,
    )

    response = post(officer_api, progress_url(assignment), body, tag=tag, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert response.json() == {
        "code": "idempotency_key_in_progress",
        "message": "A request with the same Idempotency-Key is still being processed; "
        "try again in a moment.",
        "retry_after": 1,
    }
    assert report_count() == 1
    other_body = post(officer_api, progress_url(assignment), {"percent": 41}, tag=tag)
    assert other_body.status_code == 422


@pytest.mark.parametrize(
    "key",
    ["", "   ", "x" * 256, "khóa-1", "a\tb"],
    ids=["empty", "blank", "too-long", "not-ascii", "control-char"],
)
def test_an_invalid_key_is_400_and_nothing_runs(officer_api, assignment, key):
    response = post(
        officer_api, progress_url(assignment), {"percent": 5}, key=key, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "idempotency_key_invalid",
        "message": "The Idempotency-Key header must be 1 to 255 printable ASCII characters.",
    }
    assert (report_count(), record_count()) == (0, 0)


def test_a_key_of_255_printable_characters_is_accepted(officer_api, assignment):
    key = "k" * 254 + "~"

    response = post(officer_api, progress_url(assignment), {"percent": 5}, key=key)

    assert response.status_code == 201
    assert IdempotencyRecord.objects.get().key == key


# --- scope, expiry --------------------------------------------------------------------


def test_keys_are_per_user(officer_api, client_for, head, officer, assignment):
    head_api = client_for(head, jwt=True)
    body = {"percent": 40, "note": "Cùng khóa, cùng nội dung"}

    officer_first = post(officer_api, progress_url(assignment), body)
    head_first = post(head_api, progress_url(assignment), body)

    assert head_first.status_code == 201, head_first.content
    assert "Idempotent-Replayed" not in head_first
    assert head_first.json()["id"] != officer_first.json()["id"]
    assert sorted(ProgressReport.objects.values_list("author__username", flat=True)) == sorted(
        [officer.username, head.username]
    )
    # Each one's retry gets their own answer back.
    assert post(head_api, progress_url(assignment), body).content == head_first.content
    assert post(officer_api, progress_url(assignment), body).content == officer_first.content
    assert report_count() == 2


def test_an_expired_key_is_a_new_request(officer_api, assignment, settings):
    settings.IDEMPOTENCY_TTL_HOURS = 24
    body = {"percent": 40}
    first = post(officer_api, progress_url(assignment), body)
    IdempotencyRecord.objects.update(created_at=F("created_at") - timedelta(hours=24, seconds=1))

    again = post(officer_api, progress_url(assignment), body)

    assert again.status_code == 201, again.content
    assert "Idempotent-Replayed" not in again
    assert again.json()["id"] != first.json()["id"]
    assert report_count() == 2
    record = IdempotencyRecord.objects.get()
    assert record.created_at > timezone.now() - timedelta(minutes=1)
    assert record.state == IdempotencyRecord.State.COMPLETED


def test_a_key_younger_than_the_ttl_is_still_replayed(officer_api, assignment, settings):
    settings.IDEMPOTENCY_TTL_HOURS = 1
    body = {"percent": 40}
    tag = etag(officer_api, assignment.pk)
    post(officer_api, progress_url(assignment), body, tag=tag)
    IdempotencyRecord.objects.update(created_at=F("created_at") - timedelta(minutes=59))

    replay = post(officer_api, progress_url(assignment), body, tag=tag)

    assert replay["Idempotent-Replayed"] == "true"
    assert report_count() == 1


# --- what is stored ---------------------------------------------------------------------


def test_a_5xx_is_not_stored_and_the_key_can_be_retried(officer_api, assignment, monkeypatch):
    real = services.assignment_report_progress

    def broken(**kwargs):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(services, "assignment_report_progress", broken)
    officer_api.raise_request_exception = False
    body = {"percent": 40}

    failed = post(officer_api, progress_url(assignment), body)

    assert failed.status_code == 500
    assert record_count() == 0
    monkeypatch.setattr(services, "assignment_report_progress", real)
    retried = post(officer_api, progress_url(assignment), body)
    assert retried.status_code == 201, retried.content
    assert "Idempotent-Replayed" not in retried
    assert report_count() == 1


def test_a_4xx_is_replayed_as_it_was(officer_api, assignment):
    body = {"percent": 150}

    first = post(officer_api, progress_url(assignment), body)
    replay = post(officer_api, progress_url(assignment), body)

    assert first.status_code == 400
    assert first.json()["code"] == "validation_error"
    assert (replay.status_code, replay.content) == (400, first.content)
    assert replay["Idempotent-Replayed"] == "true"
    assert report_count() == 0


def test_a_412_is_not_stored_so_the_retry_with_a_fresh_etag_runs(officer_api, assignment):
    body = {"percent": 40}
    stale = etag(officer_api, assignment.pk)
    post(officer_api, f"{API}/assignments/{assignment.pk}/acknowledge/", key="other-key")

    refused = post(officer_api, progress_url(assignment), body, tag=stale)
    retried = post(officer_api, progress_url(assignment), body)

    assert refused.status_code == 412
    assert retried.status_code == 201, retried.content
    assert "Idempotent-Replayed" not in retried
    assert report_count() == 1


def test_without_the_header_nothing_changes(officer_api, assignment):
    body = {"percent": 40}

    first = post(officer_api, progress_url(assignment), body, key=None)
    second = post(officer_api, progress_url(assignment), body, key=None)

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second
    assert (report_count(), record_count()) == (2, 0)


def test_an_anonymous_or_badly_signed_request_is_left_to_drf(api_client, assignment):
    anonymous = api_client.post(
        progress_url(assignment), {"percent": 1}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    bad_token = api_client.post(
        progress_url(assignment),
        {"percent": 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY="not ascii: é",
        HTTP_AUTHORIZATION="Bearer not-a-token",
    )

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    assert bad_token.status_code == 401
    assert bad_token.json()["code"] == "token_not_valid"
    assert record_count() == 0


def test_sign_in_is_never_stored(client_for, officer):
    client = client_for(officer, jwt=True)
    body = {"username": officer.username, "password": PASSWORD}

    first = client.post(f"{API}/auth/token/", body, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    second = client.post(f"{API}/auth/token/", body, format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert (first.status_code, second.status_code) == (200, 200)
    assert "Idempotent-Replayed" not in second
    assert record_count() == 0


# --- multipart ------------------------------------------------------------------------


def multipart(boundary: str, *, note: str = "Biên bản xác minh kèm theo", pdf: bytes) -> bytes:
    return encode_multipart(
        boundary,
        {
            "percent": "40",
            "note": note,
            "files": [SimpleUploadedFile("bien-ban.pdf", pdf, "application/pdf")],
        },
    )


def post_multipart(client, assignment, boundary: str, *, tag: str, **fields):
    return client.post(
        progress_url(assignment),
        multipart(boundary, **fields),
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_IF_MATCH=tag,
        HTTP_IDEMPOTENCY_KEY=KEY,
    )


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "spooled"])
def test_a_multipart_report_with_a_pdf_replays_even_with_another_boundary(
    officer_api, assignment, settings, in_memory
):
    if not in_memory:
        # Bodies over the limit are spooled in chunks and fingerprinted from the copy.
        settings.IDEMPOTENCY_MAX_BODY_BYTES = 1024
    pdf = pdf_bytes(padding=200_000)
    tag = etag(officer_api, assignment.pk)

    first = post_multipart(officer_api, assignment, "boundary-one", tag=tag, pdf=pdf)
    # A client rebuilding the request for its retry picks a new boundary.
    replay = post_multipart(officer_api, assignment, "boundary-two", tag=tag, pdf=pdf)

    assert first.status_code == 201, first.content
    [attachment] = first.json()["attachments"]
    assert (attachment["original_name"], attachment["size"]) == ("bien-ban.pdf", len(pdf))
    download = officer_api.get(attachment["download_url"])
    assert b"".join(download.streaming_content) == pdf
    assert (replay.status_code, replay.content) == (201, first.content)
    assert replay["Idempotent-Replayed"] == "true"
    assert (report_count(), Attachment.objects.count()) == (1, 1)


@pytest.mark.parametrize("in_memory", [True, False], ids=["in-memory", "spooled"])
def test_a_multipart_retry_with_another_file_or_field_is_422(
    officer_api, assignment, settings, in_memory
):
    if not in_memory:
        settings.IDEMPOTENCY_MAX_BODY_BYTES = 1024
    tag = etag(officer_api, assignment.pk)
    post_multipart(officer_api, assignment, "b1", tag=tag, pdf=pdf_bytes(padding=5000))

    other_file = post_multipart(officer_api, assignment, "b1", tag=tag, pdf=pdf_bytes(4999) + b"!")
    other_note = post_multipart(
        officer_api, assignment, "b1", tag=tag, pdf=pdf_bytes(padding=5000), note="Khác"
    )

    assert other_file.status_code == 422
    assert other_note.status_code == 422
    assert report_count() == 1


# --- cleanup, schema --------------------------------------------------------------------


def test_the_cleanup_task_deletes_expired_records_in_batches(officer, head, settings):
    settings.IDEMPOTENCY_TTL_HOURS = 24
    now = timezone.now()
    for n, age in enumerate([25, 30, 48, 24 * 7, 1, 23]):
        IdempotencyRecord.objects.create(
            user=officer if n % 2 else head,
            key=f"k{n}",
            fingerprint="0" * 64,
            created_at=now - timedelta(hours=age),
        )

    assert idempotency.records_purge_expired(now=now, batch_size=3) == 4
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k4", "k5"]
    IdempotencyRecord.objects.filter(key="k5").update(created_at=now - timedelta(hours=25))
    assert idempotency_cleanup.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k4"]
    assert settings.CELERY_BEAT_SCHEDULE["idempotency-cleanup"] == {
        "task": "thads.idempotency_cleanup",
        "schedule": 3600,
    }


@pytest.mark.django_db
def test_the_schema_documents_the_header_on_every_post(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()

    def idempotency_header(operation):
        return [
            p
            for p in operation.get("parameters", [])
            if p["in"] == "header" and p["name"] == "Idempotency-Key"
        ]

    covered = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method != "post" or path.startswith("/api/v1/auth/"):
                assert idempotency_header(operation) == [], (method, path)
                continue
            [header] = idempotency_header(operation)
            assert header["schema"] == {"type": "string"}
            assert "422" in header["description"] and "409" in header["description"]
            assert "idempotency_key_reused" in operation["responses"]["422"]["description"]
            assert "idempotency_key_in_progress" in operation["responses"]["409"]["description"]
            covered.append(path)
    assert f"{API}/assignments/{{id}}/progress/" in covered
    assert f"{API}/documents/" in covered
    # The enum hook still runs: choice sets keep their names.
    assert "AssignmentStatusEnum" in schema["components"]["schemas"]
