"""Model helpers shared by the apps."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thads.text import nfc, search_key, search_terms


def search(
    queryset: models.QuerySet, query: str, fields: tuple[str, ...] = ("search_key",)
) -> models.QuerySet:
    """Rows whose search key (or one of the keys in `fields`, e.g. a related row's
    `unit__search_key`) has a word beginning with each word of `query`, accents,
    đ and case aside: "hiep hoa" finds "Hiệp Hòa" and "Hiệp Hoà", "dau gia" finds
    "đấu giá", and "hiep" does not find "nghiệp".

    The key holds every word after a space (`thads.text.search_key`), so one
    `LIKE '% term%'` per term is a word-start match, the same on SQLite and
    PostgreSQL."""
    for term in search_terms(query):
        condition = models.Q()
        for field in fields:
            condition |= models.Q(**{f"{field}__contains": f" {term}"})
        queryset = queryset.filter(condition)
    return queryset


def refill_search_keys(model, fields: tuple[str, ...], batch: int = 500) -> None:
    """Recompute the `search_key` of every row of `model` (a migration's historical
    model) from `fields`, as `NormalizedTextModel` does on save: for data
    migrations after the key's format changes."""
    changed = []
    for row in model.objects.only("pk", "search_key", *fields).iterator(chunk_size=batch):
        key = search_key(*(str(getattr(row, name) or "") for name in fields))
        if key != row.search_key:
            row.search_key = key
            changed.append(row)
        if len(changed) >= batch:
            model.objects.bulk_update(changed, ["search_key"])
            changed = []
    model.objects.bulk_update(changed, ["search_key"])


class NFCTextModel(models.Model):
    """Stores every text field in NFC, whoever writes it.

    Doing this in `save()` is deliberate: it is a representation rule, not a
    business rule, and it must hold for every writer (services, the admin, the
    seed, a shell), not only for requests that went through the API's parsers.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalize_text()
        super().save(*args, **kwargs)

    def normalize_text(self) -> None:
        for field in self._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)):
                value = getattr(self, field.attname)
                if isinstance(value, str):
                    setattr(self, field.attname, nfc(value))


class NormalizedTextModel(NFCTextModel):
    """NFC text, plus a `search_key` kept in step with it for accent-insensitive
    search. Subclasses name the fields that make up the key."""

    search_fields: tuple[str, ...] = ()

    search_key = models.CharField(
        _("khóa tìm kiếm"), max_length=1000, editable=False, db_index=True, default=""
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_key" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_key"]
        super().save(*args, **kwargs)

    def normalize_text(self) -> None:
        super().normalize_text()
        self.search_key = search_key(
            *(str(getattr(self, name) or "") for name in self.search_fields)
        )


class IdempotencyRecord(models.Model):
    """A POST's `Idempotency-Key`, claimed by one user, and the answer it got.

    `thads.idempotency` writes these: the row is committed `in_progress` before
    the view runs, then completed with the response a retry gets back. One row
    per (user, key); rows older than `IDEMPOTENCY_TTL_HOURS` count as absent
    and beat deletes them.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("đang xử lý")
        COMPLETED = "completed", _("đã xong")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 (hex) of the method, path with query and body: what a retry must repeat.
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(default=b"", blank=True)
    content_type = models.CharField(max_length=255, default="", blank=True)
    # The headers a replay repeats (ETag, Location, Content-Language), name → value.
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_record_per_key"),
            models.CheckConstraint(
                condition=models.Q(state="in_progress")
                | models.Q(status_code__isnull=False, completed_at__isnull=False),
                name="idempotency_completed_has_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} ({self.state})"
