"""Model helpers shared by the apps."""

from django.db import models

from thads.text import fold, nfc


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

    search_key = models.CharField(max_length=1000, editable=False, db_index=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_key" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_key"]
        super().save(*args, **kwargs)

    def normalize_text(self) -> None:
        super().normalize_text()
        key = " ".join(fold(str(getattr(self, name) or "")) for name in self.search_fields)
        self.search_key = " ".join(key.split())[:1000]
