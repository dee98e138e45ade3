"""Organisation units, people, memberships and the working-day calendar.

Units are never deleted: restructuring ends a unit (`valid_to`) and links it
to its successors, so that history and reports still find it.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thads.models import NormalizedTextModel


class User(AbstractUser):
    """A person who signs in. Vietnamese names are kept whole in `full_name`."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Cục THADS tỉnh")
    OFFICE = "office", _("Phòng chuyên môn / Văn phòng")
    SUB_DEPARTMENT = "sub_department", _("Chi cục THADS")


class Role(models.TextChoices):
    DIRECTOR = "director", _("Cục trưởng")
    DEPUTY_DIRECTOR = "deputy_director", _("Phó Cục trưởng")
    OFFICE_STAFF = "office_staff", _("Văn phòng Cục (thư ký)")
    HEAD = "head", _("Trưởng đơn vị")
    DEPUTY_HEAD = "deputy_head", _("Phó trưởng đơn vị")
    OFFICER = "officer", _("Chấp hành viên / công chức")


LEADERSHIP_ROLES = frozenset({Role.DIRECTOR, Role.DEPUTY_DIRECTOR, Role.OFFICE_STAFF})
HEAD_ROLES = frozenset({Role.HEAD, Role.DEPUTY_HEAD})


class ValidityQuerySet(models.QuerySet):
    """Units and memberships: the rows every cached scope is made of."""

    def active_on(self, day: date):
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    # Bulk writes send no signal (units/signals.py): they retire every cached
    # scope, which costs no query and is rare enough to be cheap.
    def update(self, **kwargs):
        from units.scope_cache import scope_changed

        scope_changed()
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        from units.scope_cache import scope_changed

        scope_changed()
        return super().bulk_create(objs, *args, **kwargs)


class OrgUnit(NormalizedTextModel):
    search_fields = ("code", "name", "short_name")

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=100, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("tạo lúc"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("cập nhật lúc"))

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=UnitKind.values), name="orgunit_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_validity_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="orgunit_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )


class SuccessionEvent(models.TextChoices):
    MERGE = "merge", _("Sáp nhập")
    SPLIT = "split", _("Chia tách")


class UnitSuccession(models.Model):
    """`successor` took over `predecessor`'s work from `effective_on`."""

    predecessor = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="successor_links",
        verbose_name=_("đơn vị trước"),
    )
    successor = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="predecessor_links",
        verbose_name=_("đơn vị kế thừa"),
    )
    event = models.CharField(
        max_length=10, choices=SuccessionEvent.choices, verbose_name=_("sự kiện")
    )
    effective_on = models.DateField(verbose_name=_("ngày hiệu lực"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("tạo lúc"))

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unitsuccession_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="unitsuccession_not_self",
            ),
            models.CheckConstraint(
                condition=Q(event__in=SuccessionEvent.values), name="unitsuccession_event_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_event_display()})"


class UnitChange(models.Model):
    """Append-only record of every change to a unit, for its history."""

    class Event(models.TextChoices):
        CREATE = "create", _("Thành lập")
        UPDATE = "update", _("Cập nhật")
        RENAME = "rename", _("Đổi tên")
        MERGE = "merge", _("Sáp nhập")
        SPLIT = "split", _("Chia tách")
        END = "end", _("Chấm dứt hoạt động")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="changes", verbose_name=_("đơn vị")
    )
    event = models.CharField(max_length=10, choices=Event.choices, verbose_name=_("sự kiện"))
    effective_on = models.DateField(null=True, blank=True, verbose_name=_("ngày hiệu lực"))
    before = models.JSONField(default=dict, blank=True, verbose_name=_("trước"))
    after = models.JSONField(default=dict, blank=True, verbose_name=_("sau"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("thời điểm"))

    class Meta:
        verbose_name = _("lịch sử đơn vị")
        verbose_name_plural = _("lịch sử đơn vị")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_event_display()} {self.at:%d/%m/%Y}"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("tạo lúc"))

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên đơn vị")
        verbose_name_plural = _("thành viên đơn vị")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="membership_validity_ordered",
            ),
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=Q(valid_to__isnull=True),
                name="membership_unique_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.unit} ({self.get_role_display()})"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a holiday, or a swapped working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Ngày nghỉ")
        WORKDAY = "workday", _("Ngày làm việc bù")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=200)

    class Meta:
        verbose_name = _("ngày nghỉ / làm bù")
        verbose_name_plural = _("lịch ngày nghỉ / làm bù")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["holiday", "workday"]), name="calendarday_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class CalendarYear(models.Model):
    """What is recorded about one year's days off: the government's decision on it
    (the Tết span and the day next to 2/9 are the Prime Minister's to decide each
    year, Bộ luật Lao động 2019, Điều 112 khoản 3), and whether the `CalendarDay`
    rows of the year list every day off.

    A year listed in full is read from its rows alone. Any other year is computed
    from the Labour Code (lunar Tết and Giỗ Tổ included), with its rows on top:
    a row says what a date is, whatever the computation says. A year without a
    recorded decision is flagged in the admin."""

    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    decision = models.CharField(
        _("quyết định của Chính phủ"),
        max_length=300,
        blank=True,
        help_text=_("Văn bản công bố lịch nghỉ Tết, Quốc khánh, hoán đổi ngày làm việc."),
    )
    listed_in_full = models.BooleanField(
        _("bảng đã ghi đủ ngày nghỉ cả năm"),
        default=False,
        help_text=_("Bật: chỉ dùng các ngày ghi trong bảng. Tắt: tính theo luật, bảng ghi đè."),
    )

    class Meta:
        verbose_name = _("quyết định lịch nghỉ năm")
        verbose_name_plural = _("quyết định lịch nghỉ năm")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2199), name="calendaryear_year_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)


class LoginSession(models.Model):
    """One signed-in device. Its id travels in the JWT (`sid`); revoking it ends
    the refresh token at once and the access token at its next request."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="login_sessions",
        verbose_name=_("người dùng"),
    )
    device_id = models.CharField(_("mã thiết bị"), max_length=100, blank=True)
    device_name = models.CharField(_("tên thiết bị"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("tạo lúc"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dùng lần cuối lúc"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("thu hồi lúc"))
    revoked_reason = models.CharField(max_length=200, blank=True, verbose_name=_("lý do thu hồi"))

    class Meta:
        verbose_name = _("phiên đăng nhập")
        verbose_name_plural = _("phiên đăng nhập")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "device_id"], name="loginsession_user_device")]

    def __str__(self) -> str:
        return f"{self.user} {self.device_name or self.device_id or '—'}"
