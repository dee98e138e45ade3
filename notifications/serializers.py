from rest_framework import serializers

from notifications.models import CHANNELS, Device, Notification, WebhookEndpoint


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "data", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class NotificationSettingsSerializer(serializers.Serializer):
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=CHANNELS), allow_empty=True, max_length=4
    )
    digest = serializers.BooleanField()


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "name", "endpoint", "is_active", "created_at", "last_success_at"]
        read_only_fields = ["id", "is_active", "created_at", "last_success_at"]


class DeviceCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    endpoint = serializers.URLField(max_length=1000)
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class VapidKeySerializer(serializers.Serializer):
    public_key = serializers.CharField(allow_blank=True)


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "secret",
            "is_active",
            "failure_count",
            "disabled_at",
            "last_error",
            "created_at",
        ]
        read_only_fields = fields


class WebhookCreateInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
