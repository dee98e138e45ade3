"""Where messages go: the in-app inbox, devices for push, webhooks, and each
user's choice of channels. This app knows people, not directives: the
reminders app decides what to say and to whom."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thads.models import NFCTextModel

CHANNEL_INBOX = "inbox"
CHANNEL_EMAIL = "email"
CHANNEL_PUSH = "push"
CHANNEL_WEBHOOK = "webhook"
CHANNELS = (CHANNEL_INBOX, CHANNEL_EMAIL, CHANNEL_PUSH, CHANNEL_WEBHOOK)


def default_channels() -> list[str]:
    return [CHANNEL_INBOX, CHANNEL_EMAIL]


class Notification(NFCTextModel):
    """One message in a user's in-app inbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
    )
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(max_length=300, blank=True, verbose_name=_("đường dẫn"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("dữ liệu"))
    # The delivery that produced it: a redelivered task finds its message already here.
    dedup_key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, verbose_name=_("khóa chống trùng")
    )
    created_at = models.DateTimeField(db_index=True, verbose_name=_("tạo lúc"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("đọc lúc"))

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["user", "id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("người dùng"),
    )
    channels = models.JSONField(_("kênh nhận"), default=default_channels)
    # One daily digest of due-soon and overdue work instead of single reminders.
    digest = models.BooleanField(_("nhận bản tổng hợp hằng ngày"), default=False)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("cập nhật lúc"))

    class Meta:
        verbose_name = _("tùy chọn thông báo")
        verbose_name_plural = _("tùy chọn thông báo")

    def __str__(self) -> str:
        return f"{self.user}: {', '.join(self.channels)}"


class Device(models.Model):
    """A Web Push subscription (RFC 8030) of one of the user's browsers or apps."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="devices",
        verbose_name=_("người dùng"),
    )
    name = models.CharField(_("tên thiết bị"), max_length=100, blank=True)
    endpoint = models.URLField(max_length=1000, verbose_name=_("địa chỉ nhận thông báo đẩy"))
    p256dh = models.CharField(max_length=200, verbose_name=_("khóa p256dh"))
    auth = models.CharField(max_length=100, verbose_name=_("khóa xác thực"))
    is_active = models.BooleanField(default=True, verbose_name=_("đang dùng"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("tạo lúc"))
    last_success_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("gửi được lần cuối lúc")
    )
    deactivated_reason = models.CharField(max_length=200, blank=True, verbose_name=_("lý do ngừng"))

    class Meta:
        verbose_name = _("thiết bị nhận thông báo đẩy")
        verbose_name_plural = _("thiết bị nhận thông báo đẩy")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint"], condition=Q(is_active=True), name="device_unique_active"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.endpoint[:60]


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL that receives the user's reminders as signed JSON POSTs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("người dùng"),
    )
    url = models.URLField(max_length=500, verbose_name=_("địa chỉ URL"))
    secret = models.CharField(max_length=100, default=new_webhook_secret, verbose_name=_("khóa ký"))
    is_active = models.BooleanField(default=True, verbose_name=_("đang dùng"))
    failure_count = models.PositiveIntegerField(default=0, verbose_name=_("số lần lỗi liên tiếp"))
    disabled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ngừng lúc"))
    last_error = models.CharField(max_length=500, blank=True, verbose_name=_("lỗi gần nhất"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("tạo lúc"))

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhook")

    def __str__(self) -> str:
        return self.url
