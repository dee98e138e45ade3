"""The admin in Vietnamese for units, people and the working-day calendar.

Unit and membership writes go through the same services as the API, so the
admin records history and refuses what the API refuses.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from thads.errors import DomainError
from thads.text import search_terms
from units import services
from units.models import CalendarDay, Membership, OrgUnit, UnitChange, UnitSuccession, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "valid_from", "valid_to"]
    autocomplete_fields = ["user"]
    # Memberships are added through their own page, which goes through the service.
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UnitChangeInline(admin.TabularInline):
    model = UnitChange
    extra = 0
    fields = ["event", "effective_on", "before", "after", "actor", "at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind", "valid_to"]
    search_fields = ["code", "name", "short_name", "search_key"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["search_key", "created_at", "updated_at"]
    inlines = [MembershipInline, UnitChangeInline]

    def has_delete_permission(self, request, obj=None):
        return False  # units end (valid_to); they are never deleted

    def get_search_results(self, request, queryset, search_term):
        result, may_have_duplicates = super().get_search_results(request, queryset, "")
        for term in search_terms(search_term):
            result = result.filter(search_key__contains=term)
        return result, may_have_duplicates

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if change:
                services.unit_update(actor=request.user, unit=obj, **fields)
            else:
                created = services.unit_create(
                    actor=request.user,
                    **{
                        name: form.cleaned_data.get(name)
                        for name in [
                            "code",
                            "name",
                            "short_name",
                            "kind",
                            "parent",
                            "valid_from",
                            "valid_to",
                        ]
                    },
                )
                obj.pk = created.pk
        except DomainError as exc:
            self.message_user(request, str(exc.message), level=messages.ERROR)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "valid_from", "valid_to"]
    list_filter = ["role", "unit__kind", "unit"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]

    def has_delete_permission(self, request, obj=None):
        return False  # end a membership with valid_to; history stays

    def save_model(self, request, obj, form, change):
        try:
            if change:
                if "valid_to" in form.changed_data and obj.valid_to:
                    services.membership_end(
                        actor=request.user, membership=obj, valid_to=obj.valid_to
                    )
                else:
                    super().save_model(request, obj, form, change)
            else:
                created = services.membership_create(
                    actor=request.user,
                    user=obj.user,
                    unit=obj.unit,
                    role=obj.role,
                    valid_from=obj.valid_from,
                    valid_to=obj.valid_to,
                )
                obj.pk = created.pk
        except DomainError as exc:
            self.message_user(request, str(exc.message), level=messages.ERROR)


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "event", "effective_on"]
    list_filter = ["event"]
    readonly_fields = ["predecessor", "successor", "event", "effective_on", "created_at"]

    def has_add_permission(self, request):
        return False  # made by the merge and split services only

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Thông tin THADS"), {"fields": ("full_name",)}),
    )
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
