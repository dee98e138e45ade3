"""Claiming a key, answering a repeat, storing the answer, and the hourly purge."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone, translation

from thads.idempotency.keys import KEY_REUSED, REPLAYED_HEADER, error_response, in_progress_response
from thads.models import IdempotencyRecord

logger = logging.getLogger("thads.idempotency")

# The response headers a replay repeats; the rest are the replay's own.
REPLAYED_HEADERS = ("ETag", "Location", "Content-Language")
# Answers that ask the client to send the same request again, later (408, 425, 429)
# or with other credentials or a fresh validator (401, 412, 428): storing them would
# answer that retry with the refusal until the key expires. They write nothing, so
# releasing the key is safe.
NOT_STORED = frozenset({401, 408, 412, 425, 428, 429})
PURGE_BATCH = 1000


def _expired_before(now: datetime) -> datetime:
    return now - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


def claim(
    *, user, key: str, fingerprint: str
) -> tuple[IdempotencyRecord | None, HttpResponse | None]:
    """Either the new in-progress record (run the view) or the answer to send now."""
    for _attempt in range(3):
        now = timezone.now()
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is not None and record.created_at <= _expired_before(now):
            # Expired: as if absent. By pk, so a record that replaced it meanwhile stays.
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            record = None
        if record is not None:
            return None, _answer(record, fingerprint)
        try:
            # Its own transaction, committed before the view runs: a concurrent
            # request with the key fails this insert and sees the claim.
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint, created_at=now
                )
            return record, None
        except IntegrityError:
            continue  # claimed in between: answer as that claim says
    return None, in_progress_response()


def _answer(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return error_response(422, KEY_REUSED)
    if record.state == IdempotencyRecord.State.IN_PROGRESS:
        return in_progress_response()
    return _replay(record)


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.status_code)
    if record.content_type:
        response["Content-Type"] = record.content_type
    else:
        del response["Content-Type"]
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _storable(response: HttpResponse) -> bool:
    return (
        not response.streaming
        and response.status_code < 500
        and response.status_code not in NOT_STORED
    )


def release(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def finish(record: IdempotencyRecord, response: HttpResponse) -> None:
    if not _storable(response):
        release(record)
        return
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    # LocaleMiddleware adds Content-Language on the way out; the body's language is
    # this request's, which a replay in another language must still say.
    headers.setdefault("Content-Language", translation.get_language())
    try:
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            state=IdempotencyRecord.State.COMPLETED,
            status_code=response.status_code,
            response_body=response.content,
            content_type=response.get("Content-Type", ""),
            response_headers=headers,
            completed_at=timezone.now(),
        )
    except DatabaseError:
        # The view's work is done: the client gets its answer. Its retries get 409
        # until the key expires, which is safer than running the request again.
        logger.exception("could not store the response for Idempotency-Key %r", record.key)


def records_purge_expired(*, now: datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    """Delete the records older than IDEMPOTENCY_TTL_HOURS, `batch_size` rows per
    statement so no single delete holds locks for long; returns how many went."""
    cutoff = _expired_before(now or timezone.now())
    expired = IdempotencyRecord.objects.filter(created_at__lte=cutoff)
    deleted = 0
    while ids := list(expired.values_list("pk", flat=True)[:batch_size]):
        count, _by_model = IdempotencyRecord.objects.filter(pk__in=ids).delete()
        deleted += count
    return deleted
