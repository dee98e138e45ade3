"""Directive categories: leadership adds them (the API, the admin) and edits
them in the admin. Directives refer to a category for good: one is
deactivated, never deleted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from directives import access
from directives.models import Category

CATEGORY_FIELDS = ("code", "name_vi", "name_en", "keywords", "position", "is_active")


@transaction.atomic
def category_create(
    *,
    actor,
    code: str,
    name_vi: str,
    name_en: str,
    keywords: Sequence[str] = (),
    position: int = 0,
    is_active: bool = True,
) -> Category:
    access.ensure_leadership(actor)
    category = Category(
        code=code,
        name_vi=name_vi,
        name_en=name_en,
        keywords=list(keywords),
        position=position,
        is_active=is_active,
    )
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def category_update(*, actor, category: Category, **changes: Any) -> Category:
    """Change the given fields of a category (any of `CATEGORY_FIELDS`)."""
    access.ensure_leadership(actor)
    unknown = set(changes) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValueError(f"unknown category fields: {sorted(unknown)}")
    category = Category.objects.select_for_update().get(pk=category.pk)
    for field, value in changes.items():
        setattr(category, field, value)
    category.full_clean()
    category.save()
    return category
