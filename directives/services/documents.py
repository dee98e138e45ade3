"""Source documents: create, edit, link, and extract their numbered items into
directives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from changelog.log import (
    KIND_DIRECTIVE,
    KIND_DOCUMENT,
    record_change,
)
from directives import access
from directives.errors import (
    DIRECTIVES_EXIST,
    INVALID_DATES,
    INVALID_RELATION,
    LINK_TO_SELF,
    NO_NUMBERED_ITEMS,
)
from directives.extraction import ExtractedItem, extract_items, make_title
from directives.models import (
    Category,
    Directive,
    DocumentLink,
    DocumentRelation,
    SourceDocument,
)
from directives.services._common import _category, _check_due_date, _now, _store_attachments
from thads.errors import DomainError
from units.models import OrgUnit


@transaction.atomic
def document_create(
    *,
    actor,
    kind: str,
    title: str,
    issued_on: date,
    number: str = "",
    body: str = "",
    issuing_unit: OrgUnit | None = None,
    signatory: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    links: Sequence[tuple[str, SourceDocument]] = (),
    files: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> SourceDocument:
    access.ensure_leadership(actor)
    if period_start and period_end and period_end < period_start:
        raise DomainError(
            INVALID_DATES,
            _("Ngày kết thúc kỳ phải sau ngày bắt đầu."),
            fields={"period_end": [_("Ngày kết thúc kỳ phải sau ngày bắt đầu.")]},
        )
    document = SourceDocument(
        kind=kind,
        number=number,
        title=title,
        issued_on=issued_on,
        body=body,
        issuing_unit=issuing_unit,
        signatory=signatory,
        period_start=period_start,
        period_end=period_end,
        created_by=actor,
    )
    document.full_clean()
    document.save()
    record_change(KIND_DOCUMENT, document.pk)
    for relation, target in links:
        document_link(actor=actor, source=document, target=target, relation=relation)
    if files:
        _store_attachments(files, actor=actor, now=_now(now), document=document)
    return document


@transaction.atomic
def document_update(*, actor, document: SourceDocument, **changes: Any) -> SourceDocument:
    access.ensure_leadership(actor)
    document = SourceDocument.objects.select_for_update().get(pk=document.pk)
    for field, value in changes.items():
        setattr(document, field, value)
    document.full_clean()
    document.save()
    record_change(KIND_DOCUMENT, document.pk)
    return document


@transaction.atomic
def document_link(
    *, actor, source: SourceDocument, target: SourceDocument, relation: str
) -> DocumentLink:
    access.ensure_leadership(actor)
    if source.pk == target.pk:
        raise DomainError(LINK_TO_SELF, _("Một văn bản không thể liên kết với chính nó."))
    if relation not in DocumentRelation.values:
        raise DomainError(
            INVALID_RELATION,
            _("Quan hệ văn bản không hợp lệ."),
            fields={"relation": [", ".join(DocumentRelation.values)]},
        )
    link, _created = DocumentLink.objects.get_or_create(
        source=source, target=target, relation=relation
    )
    record_change(KIND_DOCUMENT, source.pk)
    return link


def _category_keywords() -> dict[str, list[str]]:
    return {
        category.code: list(category.keywords)
        for category in Category.objects.filter(is_active=True).order_by("position", "code")
    }


def document_extract_preview(*, document: SourceDocument) -> list[ExtractedItem]:
    """The numbered items of the document's body, as directives would be made of them."""
    items = extract_items(document.body, categories=_category_keywords())
    if not items:
        raise DomainError(
            NO_NUMBERED_ITEMS,
            _(
                "Không tìm thấy mục đánh số nào trong nội dung văn bản (dạng (1), 1., 1), a)). "
                "Hãy kiểm tra nội dung hoặc tạo nhiệm vụ thủ công."
            ),
            status_code=422,
        )
    return items


@transaction.atomic
def document_extract_confirm(
    *,
    actor,
    document: SourceDocument,
    items: Sequence[dict[str, Any]] | None = None,
    default_due_date: date | None = None,
) -> list[Directive]:
    """Create the document's directives, from `items` (a client's edited preview)
    or from a fresh extraction. A document whose directives exist is refused:
    directives are then edited one by one, never silently doubled."""
    access.ensure_leadership(actor)
    document = SourceDocument.objects.select_for_update().get(pk=document.pk)
    if document.directives.exists():
        raise DomainError(
            DIRECTIVES_EXIST,
            _("Văn bản đã có nhiệm vụ; hãy sửa từng nhiệm vụ thay vì trích xuất lại."),
            status_code=409,
        )
    if items is None:
        items = [
            {"label": i.label, "title": i.title, "body": i.body, "category": i.category}
            for i in document_extract_preview(document=document)
        ]
    if not items:
        raise DomainError(NO_NUMBERED_ITEMS, _("Không có mục nào để tạo."), status_code=422)
    _check_due_date(document, default_due_date, field="default_due_date")
    categories = {code: _category(code) for code in {item["category"] for item in items}}
    directives = [
        Directive(
            document=document,
            label=item["label"],
            position=position,
            title=item.get("title") or make_title(item["body"]),
            body=item["body"],
            category=categories[item["category"]],
            default_due_date=default_due_date,
        )
        for position, item in enumerate(items, start=1)
    ]
    for directive in directives:
        directive.full_clean(exclude=["search_key"])
        directive.save()
        record_change(KIND_DIRECTIVE, directive.pk)
    return directives
