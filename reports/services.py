"""Writes of the reports app: export jobs (asked for, built by a worker, pruned)
and the secret calendar feeds (made, rotated)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import tempfile
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from reports.exports import Table, write_export
from reports.models import CalendarFeed, ExportJob, ExportKind, ExportStatus
from reports.serializers import (
    OverdueQuerySerializer,
    ReportFilterQuerySerializer,
    TimelinessQuerySerializer,
)
from reports.tables import assignments_queryset, assignments_table, overdue_table, timeliness_table
from thads.errors import DomainError

_FEED_SALT = "reports.calendar-feed"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- export jobs ----------------------------------------------------------------------


def _validated_params(*, kind: str, params: dict[str, Any], user) -> dict[str, Any]:
    """The params checked as the report's GET would check them (400 otherwise),
    so a job that is accepted can be built."""
    if kind == ExportKind.ASSIGNMENTS:
        assignments_queryset(user=user, params=params)
        return params
    serializer_class = {
        ExportKind.TIMELINESS: TimelinessQuerySerializer,
        ExportKind.OVERDUE: OverdueQuerySerializer,
    }[kind]
    serializer = serializer_class(data={k: v for k, v in params.items() if k != "format"})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def build_table(*, kind: str, params: dict[str, Any], user) -> Table:
    """The table an export of `kind` writes, as `user` sees it now."""
    if kind == ExportKind.ASSIGNMENTS:
        return assignments_table(user=user, params=params)
    data = _validated_params(kind=kind, params=params, user=user)
    filters = ReportFilterQuerySerializer.report_filters(data)
    if kind == ExportKind.TIMELINESS:
        return timeliness_table(user=user, group_by=data["group_by"], filters=filters)
    return overdue_table(user=user, filters=filters)


def export_job_create(
    *, actor, kind: str, fmt: str, params: dict[str, Any], now: datetime | None = None
) -> ExportJob:
    """Record an export and queue its build (after commit). Bad params are a 400
    and nothing is written."""
    _validated_params(kind=kind, params=params, user=actor)
    job = ExportJob.objects.create(
        owner=actor, kind=kind, format=fmt, params=params, created_at=_now(now)
    )
    from reports.tasks import build_export

    build_export.delay_on_commit(job.pk)
    return job


def export_job_build(*, job_id: int, now: datetime | None = None) -> ExportJob | None:
    """Build a pending export into the default storage; None when there is nothing
    to do (gone, or already taken by another worker). A DomainError (the filters
    no longer visible to the owner, say) fails the job with its message."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ExportStatus.PENDING:
            return None
        job.status = ExportStatus.RUNNING
        job.started_at = _now(now)
        job.save(update_fields=["status", "started_at"])
    try:
        table = build_table(kind=job.kind, params=job.params, user=job.owner)
        with tempfile.TemporaryFile() as spool:
            rows = write_export(table, fmt=job.format, target=spool)
            spool.seek(0)
            name = f"{job.kind}-{job.pk}-{secrets.token_hex(8)}.{job.format}"
            job.file.save(name, File(spool), save=False)
    except DomainError as exc:
        job.status = ExportStatus.FAILED
        job.error = str(exc.message)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    except BaseException:
        job.status = ExportStatus.FAILED
        job.error = "server_error"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    finished = timezone.now()
    job.status = ExportStatus.DONE
    job.row_count = rows
    job.filename = f"{job.kind}.{job.format}"
    job.finished_at = finished
    job.expires_at = finished + timedelta(hours=settings.EXPORT_TTL_HOURS)
    job.save(update_fields=["status", "row_count", "filename", "file", "finished_at", "expires_at"])
    return job


def exports_prune(*, now: datetime | None = None) -> int:
    """Delete the files of expired exports and mark them expired; the count."""
    count = 0
    expired = ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=_now(now))
    for job in expired.iterator():
        if job.file:
            job.file.delete(save=False)
        job.status = ExportStatus.EXPIRED
        job.save(update_fields=["status", "file"])
        count += 1
    return count


# --- calendar feeds ---------------------------------------------------------------------


def feed_token(feed: CalendarFeed) -> str:
    """The secret in the feed's URL: an HMAC of the nonce under the server's key."""
    return salted_hmac(_FEED_SALT, feed.nonce, algorithm="sha256").hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _feed_create(*, user, now: datetime) -> CalendarFeed:
    feed = CalendarFeed(user=user, nonce=secrets.token_hex(32), created_at=now)
    feed.token_hash = token_hash(feed_token(feed))
    feed.save()
    return feed


@transaction.atomic
def calendar_feed_get_or_create(*, user, now: datetime | None = None) -> CalendarFeed:
    """The user's active feed, made on first use."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user, revoked_at=None).first()
    return feed or _feed_create(user=user, now=_now(now))


@transaction.atomic
def calendar_feed_rotate(*, user, now: datetime | None = None) -> CalendarFeed:
    """Revoke the user's feed (its URL answers 404 from now on) and make a new one."""
    at = _now(now)
    CalendarFeed.objects.select_for_update().filter(user=user, revoked_at=None).update(
        revoked_at=at
    )
    return _feed_create(user=user, now=at)


def calendar_feed_find(*, token: str) -> CalendarFeed | None:
    """The active feed whose URL carries `token`, or None (unknown or revoked).
    Looked up by the token's hash; the stored hash is compared in constant time."""
    digest = token_hash(token)
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=digest, revoked_at=None)
        .first()
    )
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    if not feed.user.is_active:
        return None
    return feed
