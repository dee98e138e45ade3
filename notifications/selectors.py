from django.db.models import QuerySet

from notifications.models import Device, Notification, WebhookEndpoint


def _own(queryset: QuerySet, user) -> QuerySet:
    # Everything here belongs to one person; an anonymous caller owns nothing.
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(user=user)


def notification_list(*, user) -> QuerySet[Notification]:
    """The caller's own inbox; nobody reads another person's messages."""
    return _own(Notification.objects.all(), user)


def notification_unread_count(*, user) -> int:
    # Served by the partial index on unread rows, so it stays cheap.
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def device_list(*, user) -> QuerySet[Device]:
    return _own(Device.objects.filter(is_active=True), user).order_by("id")


def webhook_list(*, user) -> QuerySet[WebhookEndpoint]:
    return _own(WebhookEndpoint.objects.all(), user).order_by("id")
