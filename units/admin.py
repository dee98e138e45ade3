"""The admin in Vietnamese for units, people and the working-day calendar.

Unit and membership writes go through the same services as the API, so the
admin records history and refuses what the API refuses.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from thads.admin import ServiceAdminMixin
from thads.clock import local_today
from thads.errors import DomainError
from thads.models import search
from units import services
from units.errors import MEMBERSHIP_IMMUTABLE
from units.models import (
    CalendarDay,
    CalendarYear,
    Membership,
    OrgUnit,
    UnitChange,
    UnitSuccession,
    User,
)
from units.public_holidays import years_without_decision

UNIT_FORM_FIELDS = ["code", "name", "short_name", "kind", "parent", "valid_from", "valid_to"]


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
class OrgUnitAdmin(ServiceAdminMixin, admin.ModelAdmin):
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
        return search(result, search_term), may_have_duplicates

    def apply_service(self, request, form, change):
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data}
            return services.unit_update(actor=request.user, unit=form.instance, **changes)
        return services.unit_create(
            actor=request.user, **{name: data.get(name) for name in UNIT_FORM_FIELDS}
        )


@admin.register(Membership)
class MembershipAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["user", "unit", "role", "valid_from", "valid_to"]
    list_filter = ["role", "unit__kind", "unit"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]

    def has_delete_permission(self, request, obj=None):
        return False  # end a membership with valid_to; history stays

    def apply_service(self, request, form, change):
        data = form.cleaned_data
        if not change:
            return services.membership_create(
                actor=request.user,
                user=data["user"],
                unit=data["unit"],
                role=data["role"],
                valid_from=data.get("valid_from"),
                valid_to=data.get("valid_to"),
            )
        if not form.changed_data:
            return form.instance
        if form.changed_data == ["valid_to"] and data["valid_to"]:
            return services.membership_end(
                actor=request.user, membership=form.instance, valid_to=data["valid_to"]
            )
        raise DomainError(
            MEMBERSHIP_IMMUTABLE,
            _(
                "Chỉ có thể kết thúc tư cách thành viên (điền ngày hiệu lực đến); "
                "vai trò hoặc đơn vị khác là một tư cách thành viên mới."
            ),
        )


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "event", "effective_on"]
    list_filter = ["event"]
    readonly_fields = ["predecessor", "successor", "event", "effective_on", "created_at"]

    def has_add_permission(self, request):
        return False  # made by the merge and split services only

    def has_delete_permission(self, request, obj=None):
        return False


def _flag_years_without_decision(request) -> None:
    """Warn on the calendar's pages when this year or the next has no recorded
    government decision: its Tết and the day next to 2/9 are the law's default
    until the Prime Minister's decision is entered."""
    this_year = local_today().year
    missing = years_without_decision(range(this_year, this_year + 2))
    if missing:
        messages.warning(
            request,
            _(
                "Chưa ghi nhận quyết định lịch nghỉ của Chính phủ cho năm %(years)s: "
                "ngày nghỉ Tết và Quốc khánh đang tính theo Bộ luật Lao động (dự kiến). "
                "Khi có văn bản, hãy nhập ngày nghỉ, ngày làm bù và ghi quyết định."
            )
            % {"years": ", ".join(map(str, missing))},
        )


class CalendarFlagMixin:
    def changelist_view(self, request, extra_context=None):
        _flag_years_without_decision(request)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarFlagMixin, admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarFlagMixin, admin.ModelAdmin):
    list_display = ["year", "decision", "listed_in_full", "has_decision"]
    list_filter = ["listed_in_full"]

    @admin.display(boolean=True, description=_("đã có quyết định"))
    def has_decision(self, obj: CalendarYear) -> bool:
        return bool(obj.decision)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Thông tin THADS"), {"fields": ("full_name",)}),
    )
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
