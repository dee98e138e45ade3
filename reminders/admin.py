from django.contrib import admin

from reminders.models import ReminderLedger


@admin.register(ReminderLedger)
class ReminderLedgerAdmin(admin.ModelAdmin):
    """What the reminders did; read-only, the sweep and the workers write it."""

    list_display = [
        "due_at",
        "assignment",
        "kind",
        "recipient",
        "channel",
        "state",
        "attempts",
        "sent_at",
    ]
    list_filter = ["state", "kind", "channel"]
    search_fields = ["key", "recipient__username", "last_error"]
    readonly_fields = [field.name for field in ReminderLedger._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
