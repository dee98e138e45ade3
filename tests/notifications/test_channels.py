"""The channel interface: which keys a user's preference yields, and `deliver`'s
rules that hold for every channel."""

import pytest

from notifications.delivery import DeliveryError, Message, channel_keys, deliver
from notifications.models import Device, Notification, NotificationPreference, WebhookEndpoint
from tests.factories import UserFactory

MESSAGE = Message(
    title="Sắp đến hạn: báo cáo",
    body="Còn 1 ngày làm việc.",
    url="/directives/7",
    data={"assignment": 7},
)


@pytest.fixture
def user(db):
    return UserFactory()


def _device(user, name, *, active=True):
    return Device.objects.create(
        user=user,
        name=name,
        endpoint=f"https://push.example.org/{user.pk}/{name}",
        p256dh="key",
        auth="auth",
        is_active=active,
    )


def test_channel_keys_default_to_inbox_and_email(user):
    assert channel_keys(user) == ["inbox", "email"]


def test_channel_keys_push_lists_active_devices_only(user):
    phone = _device(user, "phone")
    _device(user, "old-laptop", active=False)
    tablet = _device(user, "tablet")
    _device(UserFactory(), "someone-else")
    NotificationPreference.objects.create(user=user, channels=["inbox", "push"])

    keys = channel_keys(user)

    assert keys[0] == "inbox"
    assert sorted(keys[1:]) == sorted([f"push:{phone.pk}", f"push:{tablet.pk}"])


def test_channel_keys_webhook_lists_active_endpoints_only(user):
    hook = WebhookEndpoint.objects.create(user=user, url="https://hooks.example.org/a")
    WebhookEndpoint.objects.create(user=user, url="https://hooks.example.org/b", is_active=False)
    preference = NotificationPreference(user=user, channels=["webhook"])

    assert channel_keys(user, preference=preference) == [f"webhook:{hook.pk}"]


def test_channel_keys_empty_when_user_chose_nothing(user):
    NotificationPreference.objects.create(user=user, channels=[])
    user.refresh_from_db()

    assert channel_keys(user) == []


def test_deliver_inbox_twice_with_same_delivery_id_creates_one_notification(user):
    deliver("inbox", user=user, message=MESSAGE, delivery_id="ledger-1")
    deliver("inbox", user=user, message=MESSAGE, delivery_id="ledger-1")
    deliver("inbox", user=user, message=MESSAGE, delivery_id="ledger-2")

    notifications = list(Notification.objects.filter(user=user).order_by("id"))
    assert [n.dedup_key for n in notifications] == ["ledger-1", "ledger-2"]
    first = notifications[0]
    assert (first.title, first.body, first.url, first.data) == (
        MESSAGE.title,
        MESSAGE.body,
        "/directives/7",
        {"assignment": 7},
    )
    assert first.read_at is None


@pytest.mark.parametrize("channel", ["inbox", "email", "push:1", "webhook:1"])
def test_deliver_to_deactivated_user_is_permanent(db, mailoutbox, channel):
    user = UserFactory(is_active=False)

    with pytest.raises(DeliveryError) as caught:
        deliver(channel, user=user, message=MESSAGE, delivery_id="ledger-1")

    assert caught.value.permanent
    assert not Notification.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("channel", ["sms", "", "push", "push:", "push:abc", "webhook:1x"])
def test_deliver_unknown_or_malformed_channel_is_permanent(user, channel):
    with pytest.raises(DeliveryError) as caught:
        deliver(channel, user=user, message=MESSAGE, delivery_id="ledger-1")

    assert caught.value.permanent


def test_deliver_push_to_inactive_or_foreign_device_is_permanent(user):
    inactive = _device(user, "old", active=False)
    foreign = _device(UserFactory(), "theirs")

    for device in (inactive, foreign):
        with pytest.raises(DeliveryError) as caught:
            deliver(f"push:{device.pk}", user=user, message=MESSAGE, delivery_id="ledger-1")
        assert caught.value.permanent


def test_deliver_email_goes_through_the_mail_backend(user, mailoutbox):
    deliver("email", user=user, message=MESSAGE, delivery_id="ledger-1")

    [mail] = mailoutbox
    assert mail.to == [user.email]
    assert mail.extra_headers["X-THADS-Delivery"] == "ledger-1"
