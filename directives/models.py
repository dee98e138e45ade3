"""Source documents, their numbered directives, and the assignments that turn
each directive into tracked work for a unit.

Timeliness is never stored: `directives.selectors` computes it from the
status, the latest approved deadline and the local date. History is
append-only (`AssignmentEvent`), written by the services.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thads.models import NFCTextModel, NormalizedTextModel
from units.models import OrgUnit


class DocumentKind(models.TextChoices):
    CONCLUSION = "conclusion", _("Kết luận hội nghị")
    RESOLUTION = "resolution", _("Nghị quyết")
    PLAN = "plan", _("Kế hoạch")
    OFFICIAL_LETTER = "official_letter", _("Công văn")
    OTHER = "other", _("Khác")


class SourceDocument(NormalizedTextModel):
    search_fields = ("number", "title")

    kind = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("số, ký hiệu"), max_length=64, blank=True)
    title = models.CharField(_("trích yếu"), max_length=500)
    issued_on = models.DateField(_("ngày ban hành"))
    issuing_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("đơn vị ban hành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    signatory = models.CharField(_("người ký"), max_length=150, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    period_start = models.DateField(_("kỳ từ ngày"), null=True, blank=True)
    period_end = models.DateField(_("kỳ đến ngày"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("tạo lúc"))
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("cập nhật lúc"))

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="document_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class DocumentRelation(models.TextChoices):
    IMPLEMENTS = "implements", _("Triển khai")
    AMENDS = "amends", _("Sửa đổi")
    REPLACES = "replaces", _("Thay thế")


class DocumentLink(NFCTextModel):
    """`source` implements, amends or replaces `target`."""

    source = models.ForeignKey(
        SourceDocument,
        on_delete=models.CASCADE,
        related_name="outgoing_links",
        verbose_name=_("văn bản"),
    )
    target = models.ForeignKey(
        SourceDocument,
        on_delete=models.PROTECT,
        related_name="incoming_links",
        verbose_name=_("văn bản liên quan"),
    )
    relation = models.CharField(
        max_length=12, choices=DocumentRelation.choices, verbose_name=_("quan hệ")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("tạo lúc"))

    class Meta:
        verbose_name = _("liên kết văn bản")
        verbose_name_plural = _("liên kết văn bản")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "relation"], name="documentlink_unique"
            ),
            models.CheckConstraint(condition=~Q(source=F("target")), name="documentlink_not_self"),
            models.CheckConstraint(
                condition=Q(relation__in=DocumentRelation.values),
                name="documentlink_relation_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_relation_display()} {self.target}"


class Category(NFCTextModel):
    """A directive category; leadership may add more in the admin or the API."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name_vi = models.CharField(_("tên tiếng Việt"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200)
    keywords = models.JSONField(_("từ khóa gợi ý"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("thứ tự"))
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_vi


class Directive(NormalizedTextModel):
    search_fields = ("label", "title", "body")

    document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("văn bản"),
        on_delete=models.PROTECT,
        related_name="directives",
    )
    label = models.CharField(_("số thứ tự in"), max_length=20)
    position = models.PositiveIntegerField(_("vị trí"))
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"))
    category = models.ForeignKey(
        Category, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="directives"
    )
    default_due_date = models.DateField(_("hạn mặc định"), null=True, blank=True)
    is_active = models.BooleanField(_("còn hiệu lực"), default=True)
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("thu hồi lúc"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("tạo lúc"))
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("cập nhật lúc"))

    class Meta:
        verbose_name = _("nhiệm vụ chỉ đạo")
        verbose_name_plural = _("nhiệm vụ chỉ đạo")
        ordering = ["document_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="directive_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"({self.label}) {self.title}"


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Đã giao")
    ACKNOWLEDGED = "acknowledged", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    REPORTED = "reported", _("Đã báo cáo hoàn thành")
    DONE = "done", _("Hoàn thành")
    CANCELLED = "cancelled", _("Đã hủy")


OPEN_STATUSES = (
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.ACKNOWLEDGED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.REPORTED,
)


# While the unit still has work to do, it gets reminders; once it has reported
# completion the ball is in leadership's court.
REMINDED_STATUSES = (
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.ACKNOWLEDGED,
    AssignmentStatus.IN_PROGRESS,
)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    COORDINATING = "coordinating", _("Phối hợp")


class Timeliness(models.TextChoices):
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    OPEN_ON_TIME = "open_on_time", _("Chưa hoàn thành, trong hạn")
    OPEN_OVERDUE = "open_overdue", _("Chưa hoàn thành, quá hạn")


class Assignment(models.Model):
    directive = models.ForeignKey(
        Directive, verbose_name=_("nhiệm vụ"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=AssignmentRole.choices)
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ASSIGNED,
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    original_due_date = models.DateField(_("hạn ban đầu"))
    due_date = models.DateField(_("hạn hiện hành"))
    extension_count = models.PositiveSmallIntegerField(default=0, verbose_name=_("số lần gia hạn"))
    return_count = models.PositiveSmallIntegerField(default=0, verbose_name=_("số lần trả lại"))
    version = models.PositiveIntegerField(default=1, verbose_name=_("phiên bản"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người giao"),
    )
    assigned_at = models.DateTimeField(verbose_name=_("giao lúc"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người tiếp nhận"),
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("tiếp nhận lúc"))
    reported_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("báo cáo hoàn thành lúc")
    )
    # When the accepted completion was reported, and its local date: the date
    # timeliness is judged on (the unit finished then, leadership confirmed later).
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("hoàn thành lúc"))
    completed_on = models.DateField(null=True, blank=True, verbose_name=_("ngày hoàn thành"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("hủy lúc"))
    latest_report = models.ForeignKey(
        "ProgressReport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("báo cáo gần nhất"),
    )
    # For a recurring directive: the occurrence this assignment belongs to
    # (one assignment per unit per period). Null for one-off directives.
    period_start = models.DateField(_("kỳ"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("cập nhật lúc"))

    class Meta:
        verbose_name = _("giao nhiệm vụ")
        verbose_name_plural = _("giao nhiệm vụ")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "unit"],
                condition=Q(period_start__isnull=True),
                name="assignment_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["directive", "unit", "period_start"],
                condition=Q(period_start__isnull=False),
                name="assignment_unique_unit_period",
            ),
            models.UniqueConstraint(
                fields=["directive"],
                condition=Q(role="lead") & ~Q(status="cancelled") & Q(period_start__isnull=True),
                name="assignment_one_lead",
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="assignment_progress_percent",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssignmentStatus.values), name="assignment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(role__in=AssignmentRole.values), name="assignment_role_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_on__isnull=False),
                name="assignment_done_has_completion",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="assignment_unit_status"),
            models.Index(fields=["status", "due_date"], name="assignment_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.directive} → {self.unit}"

    @property
    def next_reminder_at(self) -> datetime | None:
        """The instant the sweep next looks at this work, or None when nothing is
        left to remind (its `NextReminder` row, read once and cached)."""
        try:
            return self.next_reminder.at
        except NextReminder.DoesNotExist:
            return None


class NextReminder(models.Model):
    """The next instant a reminder is due for an assignment, kept by the services
    whenever its deadline or status changes; no row once the work ends.

    Its own narrow table rather than a column of the assignment: the sweep moves
    it for every due assignment, and a row of `directives_assignment` carries
    thirteen indexes that each such update would write to (docs/decisions.md).
    The sweep reads the index on (at, assignment), so its cost follows the due
    reminders, not the history."""

    assignment = models.OneToOneField(
        Assignment,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="next_reminder",
        verbose_name=_("giao nhiệm vụ"),
    )
    at = models.DateTimeField(verbose_name=_("lần nhắc hạn tới"))

    class Meta:
        verbose_name = _("lần nhắc hạn tới")
        verbose_name_plural = _("lần nhắc hạn tới")
        indexes = [models.Index(fields=["at", "assignment"], name="next_reminder_due")]

    def __str__(self) -> str:
        return f"{self.assignment_id} @ {self.at:%Y-%m-%d %H:%M}"


class ProgressReport(NFCTextModel):
    """Append-only: a unit's report of progress, or of completion."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Báo cáo tiến độ")
        COMPLETION = "completion", _("Báo cáo hoàn thành")

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("giao nhiệm vụ"),
    )
    kind = models.CharField(
        max_length=12, choices=Kind.choices, default=Kind.PROGRESS, verbose_name=_("loại báo cáo")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="progress_reports",
        verbose_name=_("người báo cáo"),
    )
    percent = models.PositiveSmallIntegerField(verbose_name=_("tiến độ (%)"))
    note = models.TextField(blank=True, verbose_name=_("ghi chú"))
    figures = models.JSONField(default=dict, blank=True, verbose_name=_("số liệu"))
    client_uuid = models.UUIDField(null=True, blank=True, verbose_name=_("mã do ứng dụng đặt"))
    created_at = models.DateTimeField(verbose_name=_("tạo lúc"))

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="report_percent"
            ),
            models.UniqueConstraint(
                fields=["author", "client_uuid"], name="report_unique_client_uuid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.percent}%"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã chấp thuận")
    REJECTED = "rejected", _("Từ chối")


class ExtensionRequest(NFCTextModel):
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        related_name="extension_requests",
        verbose_name=_("giao nhiệm vụ"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người đề nghị"),
    )
    requested_due_date = models.DateField(_("hạn đề nghị"))
    reason = models.TextField(_("lý do"))
    status = models.CharField(
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
        verbose_name=_("trạng thái"),
    )
    previous_due_date = models.DateField(verbose_name=_("hạn trước đó"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người quyết định"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("quyết định lúc"))
    decision_reason = models.TextField(blank=True, verbose_name=_("lý do quyết định"))
    client_uuid = models.UUIDField(null=True, blank=True, verbose_name=_("mã do ứng dụng đặt"))
    created_at = models.DateTimeField(verbose_name=_("tạo lúc"))

    class Meta:
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="extension_one_pending",
            ),
            models.UniqueConstraint(
                fields=["requested_by", "client_uuid"], name="extension_unique_client_uuid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExtensionStatus.values), name="extension_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} → {self.requested_due_date}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: the original one is kept in the row, never trusted as a path.
    return f"evidence/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(NFCTextModel):
    """A file attached to exactly one document, progress report or extension request."""

    document = models.ForeignKey(
        SourceDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("văn bản"),
    )
    report = models.ForeignKey(
        ProgressReport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("báo cáo"),
    )
    extension = models.ForeignKey(
        ExtensionRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("đề nghị gia hạn"),
    )
    file = models.FileField(upload_to=attachment_path, max_length=255, verbose_name=_("tệp"))
    original_name = models.CharField(max_length=255, verbose_name=_("tên tệp gốc"))
    content_type = models.CharField(max_length=100, verbose_name=_("kiểu nội dung"))
    size = models.PositiveBigIntegerField(verbose_name=_("dung lượng (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    uploaded_at = models.DateTimeField(verbose_name=_("tải lên lúc"))

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(document__isnull=False, report__isnull=True, extension__isnull=True)
                    | Q(document__isnull=True, report__isnull=False, extension__isnull=True)
                    | Q(document__isnull=True, report__isnull=True, extension__isnull=False)
                ),
                name="attachment_exactly_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class AssignmentEvent(NFCTextModel):
    """The audit trail of an assignment. Append-only: written by the services,
    never edited or deleted (the admin and the API offer no way to)."""

    class Action(models.TextChoices):
        ASSIGNED = "assigned", _("Giao nhiệm vụ")
        ACKNOWLEDGED = "acknowledged", _("Tiếp nhận")
        PROGRESS_REPORTED = "progress_reported", _("Báo cáo tiến độ")
        EXTENSION_REQUESTED = "extension_requested", _("Đề nghị gia hạn")
        EXTENSION_APPROVED = "extension_approved", _("Chấp thuận gia hạn")
        EXTENSION_REJECTED = "extension_rejected", _("Từ chối gia hạn")
        COMPLETION_REPORTED = "completion_reported", _("Báo cáo hoàn thành")
        ACCEPTED = "accepted", _("Công nhận hoàn thành")
        RETURNED = "returned", _("Trả lại")
        CANCELLED = "cancelled", _("Hủy")
        UPDATED = "updated", _("Cập nhật")
        TRANSFERRED = "transferred", _("Chuyển cho đơn vị kế thừa")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="events", verbose_name=_("giao nhiệm vụ")
    )
    action = models.CharField(max_length=24, choices=Action.choices, verbose_name=_("thao tác"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    at = models.DateTimeField(verbose_name=_("thời điểm"))
    before = models.JSONField(default=dict, verbose_name=_("trước"))
    after = models.JSONField(default=dict, verbose_name=_("sau"))
    note = models.TextField(blank=True, verbose_name=_("ghi chú"))

    class Meta:
        verbose_name = _("lịch sử giao nhiệm vụ")
        verbose_name_plural = _("lịch sử giao nhiệm vụ")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        # Shown above each row of the admin's history: the action's name, local time.
        return f"{self.get_action_display()} {timezone.localtime(self.at):%d/%m/%Y %H:%M}"


def default_before_working_days() -> list[int]:
    # DESIGN §4: 7, 3 and 1 working days before the deadline.
    return [7, 3, 1]


class ReminderPolicy(models.Model):
    """When reminders are sent about a deadline. One default policy; a document
    or a directive may have its own, which wins (directive over document)."""

    document = models.OneToOneField(
        SourceDocument,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_policy",
        verbose_name=_("văn bản"),
    )
    directive = models.OneToOneField(
        Directive,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_policy",
        verbose_name=_("nhiệm vụ"),
    )
    is_default = models.BooleanField(default=False, verbose_name=_("mặc định"))
    before_working_days = models.JSONField(
        _("nhắc trước (ngày làm việc)"), default=default_before_working_days, blank=True
    )
    on_due_day = models.BooleanField(_("nhắc vào ngày đến hạn"), default=True)
    overdue_first_after_days = models.PositiveSmallIntegerField(
        _("nhắc quá hạn lần đầu sau (ngày làm việc)"), default=1
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("nhắc quá hạn lặp lại mỗi (ngày làm việc)"), default=3
    )
    escalate_to_head = models.BooleanField(
        _("báo trưởng đơn vị ở lần quá hạn đầu tiên"), default=True
    )
    escalate_to_leadership_after_days = models.PositiveSmallIntegerField(
        _("báo lãnh đạo Cục sau số ngày quá hạn"), null=True, blank=True, default=7
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("cập nhật lúc"))

    class Meta:
        verbose_name = _("chính sách nhắc hạn")
        verbose_name_plural = _("chính sách nhắc hạn")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(is_default=True, document__isnull=True, directive__isnull=True)
                    | Q(is_default=False, document__isnull=False, directive__isnull=True)
                    | Q(is_default=False, document__isnull=True, directive__isnull=False)
                ),
                name="reminderpolicy_one_scope",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="reminderpolicy_one_default",
            ),
            models.CheckConstraint(
                condition=Q(overdue_every_days__gte=1), name="reminderpolicy_repeat_positive"
            ),
        ]

    def __str__(self) -> str:
        if self.directive_id:
            return "%s %s" % (_("Nhiệm vụ"), self.directive)  # noqa: UP031 - gettext must see it
        if self.document_id:
            return "%s %s" % (_("Văn bản"), self.document)  # noqa: UP031
        return str(_("Mặc định"))


class RecurringSchedule(models.Model):
    """A directive that recurs (monthly citizen reception, six-monthly
    re-verification, periodic reports): one assignment per unit per occurrence,
    created ahead of time by beat. `rrule` is an RFC 5545 rule whose
    occurrences are the deadlines (rolled to working days)."""

    directive = models.OneToOneField(
        Directive, on_delete=models.CASCADE, related_name="recurrence", verbose_name=_("nhiệm vụ")
    )
    rrule = models.CharField(_("quy tắc lặp (RFC 5545)"), max_length=500)
    starts_on = models.DateField(_("bắt đầu từ"))
    ends_on = models.DateField(_("kết thúc"), null=True, blank=True)
    units = models.ManyToManyField(
        OrgUnit, related_name="recurring_schedules", verbose_name=_("đơn vị được giao")
    )
    lead_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị chủ trì"),
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("tạo trước (ngày)"),
        default=30,
        help_text=_("Số ngày trước hạn của mỗi kỳ thì tạo nhiệm vụ cho kỳ đó."),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("đang dùng"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người tạo"),
    )

    class Meta:
        verbose_name = _("lịch lặp lại")
        verbose_name_plural = _("lịch lặp lại")

    def __str__(self) -> str:
        return f"{self.directive}: {self.rrule}"
