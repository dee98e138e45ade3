"""Twenty retries of one progress report arriving at once, on PostgreSQL.

Each thread has its own client and database connection, and the claim of the
Idempotency-Key is committed for real (a transactional test), so the unique
constraint on (user, key) is what decides who runs the view.
"""

import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from directives.models import ProgressReport
from tests.directives.factories import DirectiveFactory, DocumentFactory, assign_one, etag
from thads.models import IdempotencyRecord

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 20
KEY = "3b1f6c1e-7a51-4f57-9d0e-5f0c2b8a9e11"


def test_concurrent_posts_with_one_key_create_one_report(client_for, org, director, officer):
    directive = DirectiveFactory(document=DocumentFactory(created_by=director))
    assignment = assign_one(actor=director, unit=org.hiephoa, directive=directive)
    signed_in = client_for(officer, jwt=True)
    authorization = signed_in._credentials["HTTP_AUTHORIZATION"]
    tag = etag(signed_in, assignment.pk)
    url = f"/api/v1/assignments/{assignment.pk}/progress/"
    body = {"percent": 60, "note": "Gửi lại khi mạng chập chờn"}
    start = threading.Barrier(CLIENTS)
    results: list = [None] * CLIENTS

    def send(slot: int) -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=authorization)
            start.wait(timeout=60)
            response = client.post(
                url, body, format="json", HTTP_IF_MATCH=tag, HTTP_IDEMPOTENCY_KEY=KEY
            )
            results[slot] = (
                response.status_code,
                response.content,
                response.get("Idempotent-Replayed"),
            )
        except Exception as exc:  # reported below, with the slot
            results[slot] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(slot,)) for slot in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    errors = [(slot, r) for slot, r in enumerate(results) if isinstance(r, BaseException)]
    assert not errors, errors
    statuses = Counter(status for status, _body, _replayed in results)
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in results if r[0] == 201 and r[2] is None]
    replayed = [r for r in results if r[0] == 201 and r[2] == "true"]
    assert len(created) == 1, statuses
    assert all(r[1] == created[0][1] for r in replayed)
    assert ProgressReport.objects.filter(assignment=assignment).count() == 1
    record = IdempotencyRecord.objects.get(user=officer, key=KEY)
    assert record.state == IdempotencyRecord.State.COMPLETED
    # Whoever got 409 retries, and now gets the stored answer.
    retry = signed_in.post(url, body, format="json", HTTP_IF_MATCH=tag, HTTP_IDEMPOTENCY_KEY=KEY)
    assert (retry.status_code, retry.content) == (201, created[0][1])
    assert retry["Idempotent-Replayed"] == "true"
