"""What the reports app stores: export jobs built by a worker, and the secret
calendar feeds. The reports themselves are computed on each request, never stored."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from directives.models import Assignment


class ExportKind(models.TextChoices):
    TIMELINESS = "timeliness", _("Báo cáo tiến độ thực hiện nhiệm vụ")
    OVERDUE = "overdue", _("Danh sách nhiệm vụ quá hạn")
    ASSIGNMENTS = "assignments", _("Danh sách giao nhiệm vụ")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    RUNNING = "running", _("Đang tạo")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Lỗi")
    EXPIRED = "expired", _("Đã hết hạn")


def export_path(instance: "ExportJob", filename: str) -> str:
    return f"exports/{instance.created_at:%Y/%m}/{filename}"


class ExportJob(models.Model):
    """One export asked for with POST exports/: built by a Celery task as its
    owner would see it, downloadable by the owner alone until `expires_at`."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    kind = models.CharField(_("báo cáo"), max_length=12, choices=ExportKind.choices)
    format = models.CharField(_("định dạng"), max_length=4, choices=ExportFormat.choices)
    # The query parameters as the client sent them (strings), validated on POST.
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    file = models.FileField(_("tệp"), upload_to=export_path, max_length=255, blank=True)
    filename = models.CharField(_("tên tệp"), max_length=120, blank=True)
    row_count = models.PositiveIntegerField(_("số dòng"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp xuất")
        verbose_name_plural = _("tệp xuất")
        ordering = ["-id"]
        indexes = [models.Index(fields=["owner", "-id"], name="exportjob_owner")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ExportKind.values), name="exportjob_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=ExportFormat.values), name="exportjob_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="exportjob_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(expires_at__isnull=False),
                name="exportjob_done_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}.{self.format} #{self.pk} ({self.status})"


class CalendarFeed(models.Model):
    """A user's secret iCalendar URL. The URL's token is derived from `nonce` with
    the server's secret key (so the owner can be shown it again) and stored only
    as its SHA-256 (`token_hash`), which is what a request is looked up by.
    Rotating revokes the row and makes a new one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lịch iCalendar")
        verbose_name_plural = _("lịch iCalendar")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendarfeed_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'revoked' if self.revoked_at else 'active'})"


class TimelinessSummary(Assignment):
    """The admin's report page (the same counts as GET reports/timeliness/); a
    proxy, so it adds no table."""

    class Meta:
        proxy = True
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
