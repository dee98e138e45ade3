from django.contrib import admin

from notifications.models import Device, Notification, NotificationPreference, WebhookEndpoint


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "user__username"]
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "channels", "digest"]
    search_fields = ["user__username"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "is_active", "last_success_at", "deactivated_reason"]
    list_filter = ["is_active"]
    search_fields = ["user__username", "name"]
    readonly_fields = ["endpoint", "p256dh", "auth", "created_at", "last_success_at"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["user", "url", "is_active", "failure_count", "disabled_at"]
    list_filter = ["is_active"]
    search_fields = ["user__username", "url"]
    readonly_fields = ["secret", "failure_count", "disabled_at", "last_error", "created_at"]
