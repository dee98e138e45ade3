"""The change log behind the delta-sync feed.

Every service that changes something a client keeps offline appends a row
here in the same transaction. This app is a leaf: it imports no other app but
`thads`, so every app may write to it; `sync` reads it. The model was born in
`sync` and its table keeps that name (`sync_changelog`).
"""

from django.db import models


class ChangeOp(models.TextChoices):
    UPSERT = "upsert"
    DELETE = "delete"


class ChangeLog(models.Model):
    id = models.BigAutoField(primary_key=True)
    # The writing transaction's id on PostgreSQL (pg_current_xact_id): the feed
    # only serves rows of transactions older than every one still running, so a
    # transaction that commits late is never skipped. Null on SQLite, where
    # writers are serialised and `id` already follows commit order.
    txid = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    # Whose scope the change belongs to: a unit (work), a user (their inbox),
    # or neither (everyone may see it, subject to the object's own visibility).
    unit_id = models.BigIntegerField(null=True, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    op = models.CharField(max_length=6, choices=ChangeOp.choices, default=ChangeOp.UPSERT)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "sync_changelog"
        indexes = [models.Index(fields=["txid", "id"], name="changelog_txid_id")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(op__in=ChangeOp.values), name="changelog_op_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.op} {self.kind}#{self.object_id}"
