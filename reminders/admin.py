from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from directives.admin import assignment_label
from reminders.models import ReminderLedger


@admin.register(ReminderLedger)
class ReminderLedgerAdmin(admin.ModelAdmin):
    """What the reminders did; read-only, the sweep and the workers write it."""

    list_display = [
        "due_at",
        "assignment_display",
        "kind",
        "recipient",
        "channel",
        "state",
        "attempts",
        "sent_at",
    ]
    list_filter = ["state", "kind", "channel"]
    search_fields = ["key", "recipient__username", "last_error"]
    list_select_related = ["assignment__directive", "assignment__unit", "recipient"]
    readonly_fields = [field.name for field in ReminderLedger._meta.fields]

    @admin.display(description=_("giao nhiệm vụ"), ordering="assignment")
    def assignment_display(self, obj):
        return assignment_label(obj.assignment) if obj.assignment_id else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
