"""The reminder ledger: one row per reminder point, recipient and channel.

The unique `key` (assignment, kind, the deadline it refers to, recipient,
channel) is what makes every reminder go out once: a second sweep, a second
beat or a redelivered task meets the same row instead of making another.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LedgerState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")
    SKIPPED = "skipped", _("Bỏ qua")


class ReminderLedger(models.Model):
    key = models.CharField(max_length=200, unique=True, verbose_name=_("khóa"))
    assignment = models.ForeignKey(
        "directives.Assignment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reminders",
        verbose_name=_("giao nhiệm vụ"),
    )
    kind = models.CharField(_("loại nhắc"), max_length=40)
    deadline = models.DateField(_("hạn được nhắc"), null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reminders",
        verbose_name=_("người nhận"),
    )
    channel = models.CharField(_("kênh"), max_length=40)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=LedgerState.choices, default=LedgerState.PENDING
    )
    reason = models.CharField(_("lý do bỏ qua"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("số lần gửi"))
    last_error = models.CharField(max_length=500, blank=True, verbose_name=_("lỗi gần nhất"))
    due_at = models.DateTimeField(_("thời điểm nhắc"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lần gửi tới"))
    created_at = models.DateTimeField(verbose_name=_("tạo lúc"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("gửi lúc"))
    # A reminder told in a sweep digest points at the digest's row, which lists it.
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        verbose_name=_("bản tổng hợp"),
    )

    class Meta:
        verbose_name = _("sổ nhắc hạn")
        verbose_name_plural = _("sổ nhắc hạn")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=LedgerState.values), name="ledger_state_valid"
            ),
        ]
        indexes = [
            # Only pending rows are looked up by time; the index stays small
            # however long the history grows.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="ledger_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return self.key
