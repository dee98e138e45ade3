"""Helpers every family of services shares: the clock, the checks on days and
reasons, attachments, categories, and what a directive's change tells the sync feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from changelog.log import (
    KIND_ASSIGNMENT,
    KIND_DIRECTIVE,
    record_changes,
)
from directives.errors import (
    DAY_OUT_OF_RANGE,
    DUE_BEFORE_DOCUMENT,
    REASON_REQUIRED,
    UNKNOWN_CATEGORY,
)
from directives.files import check_uploads, upright_photo
from directives.models import (
    Attachment,
    Category,
    Directive,
    SourceDocument,
)
from thads.clock import DAY_RANGE, OUT_OF_RANGE, day_in_range
from thads.errors import DomainError


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _check_day(day: date | None, field: str) -> None:
    """The API's fields refuse such a day already; this holds for every caller
    (the admin, the seed, a shell)."""
    if day is not None and not day_in_range(day):
        raise DomainError(
            DAY_OUT_OF_RANGE,
            OUT_OF_RANGE % DAY_RANGE,
            fields={field: [_("Ngày ngoài khoảng cho phép.")]},
        )


def _check_due_date(document: SourceDocument, due: date | None, field: str = "due_date"):
    _check_day(due, field)
    if due is not None and due < document.issued_on:
        raise DomainError(
            DUE_BEFORE_DOCUMENT,
            _("Hạn hoàn thành không thể trước ngày ban hành văn bản (%(day)s).")
            % {"day": document.issued_on.strftime("%d/%m/%Y")},
            fields={field: [_("Hạn trước ngày ban hành văn bản.")]},
        )


def _require_reason(reason: str | None, field: str = "reason") -> None:
    if not reason or not reason.strip():
        raise DomainError(REASON_REQUIRED, _("Cần nêu lý do."), fields={field: [_("Bắt buộc.")]})


def _store_attachments(
    uploads: Sequence[UploadedFile], *, actor, now: datetime, **owner: Any
) -> list[Attachment]:
    content_types = check_uploads(list(uploads))
    stored = []
    for original, content_type in zip(uploads, content_types, strict=True):
        upload = upright_photo(original, content_type)
        attachment = Attachment(
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
            uploaded_at=now,
            **owner,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise DomainError(
            UNKNOWN_CATEGORY,
            _("Lĩnh vực '%(code)s' không tồn tại.") % {"code": code},
            fields={"category": [_("Lĩnh vực không tồn tại.")]},
        )
    return category


def _log_directive(directive: Directive) -> None:
    """A directive changed: it, and every assignment showing its label and title."""
    record_changes(
        [{"kind": KIND_DIRECTIVE, "object_id": directive.pk}]
        + [
            {"kind": KIND_ASSIGNMENT, "object_id": pk, "unit_id": unit_id}
            for pk, unit_id in directive.assignments.values_list("id", "unit_id")
        ]
    )
