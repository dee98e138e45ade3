"""The admin for leadership: documents with their directives, assignments
filterable by unit, status and timeliness. Workflow actions call the same
services as the API, so they check the same rules and write the same history;
so do the forms (documents, their directives and links, categories, recurring
schedules): every write is a service call. History, reports and files are
read-only here."""

from datetime import date, datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _

from directives import services
from directives.models import (
    Assignment,
    AssignmentEvent,
    Attachment,
    Category,
    Directive,
    DocumentLink,
    ExtensionRequest,
    ExtensionStatus,
    ProgressReport,
    RecurringSchedule,
    ReminderPolicy,
    SourceDocument,
    Timeliness,
)
from directives.selectors import timeliness_expression, timeliness_q
from thads.admin import ServiceAdminMixin
from thads.clock import local_today
from thads.errors import DomainError
from units.models import OrgUnit

# Characters of a directive's title in the assignment list; the whole title is
# in the link's tooltip and on the assignment's page.
TITLE_CHARS = 80


def short_title(text: str, chars: int = TITLE_CHARS):
    """`text` cut to `chars` characters, whole in the tooltip."""
    return format_html('<span title="{}">{}</span>', text, Truncator(text).chars(chars))


def assignment_label(assignment: Assignment):
    """A list cell for an assignment: its directive, cut short, and the unit's short name.
    The caller selects `assignment__directive` and `assignment__unit` with the rows."""
    unit = assignment.unit.short_name or assignment.unit.name
    return format_html(
        '<span title="{}">{} → {}</span>',
        str(assignment),
        Truncator(str(assignment.directive)).chars(TITLE_CHARS // 2),
        unit,
    )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InlineRefusalsMixin:
    """The inlines of a page are saved by services after the page's object
    exists, so they cannot be tried while the form is validated: a refusal
    there rolls the whole page back and comes back as an error message."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            # The admin's own atomic block is inside: a refusal rolls it all back.
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc.message), level=messages.ERROR)
        except ValidationError as exc:  # a model check the service runs (full_clean)
            self.message_user(request, "; ".join(exc.messages), level=messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


def _changes(form, names) -> dict:
    """The changed values among `names`, as the services take them."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}


DIRECTIVE_FIELDS = ("label", "position", "title", "body", "category", "default_due_date")


def _directive_input(data: dict) -> dict:
    """Form values as the directive services take them: the category by code."""
    if data.get("category") is not None:
        data = {**data, "category": data["category"].code}
    return data


def save_directive(request, form, *, document: SourceDocument, change: bool) -> Directive:
    """Create or edit the directive of an admin form through the services."""
    if not change:
        data = {name: form.cleaned_data.get(name) for name in DIRECTIVE_FIELDS}
        data["title"] = data["title"] or ""
        return services.directive_create(
            actor=request.user, document=document, **_directive_input(data)
        )
    changes = _directive_input(_changes(form, DIRECTIVE_FIELDS))
    if not changes:
        return form.instance
    return services.directive_update(actor=request.user, directive=form.instance, **changes)


class DirectiveInline(admin.TabularInline):
    model = Directive
    extra = 0
    # The body too: a directive is made by `directive_create`, which wants one.
    fields = ["position", "label", "title", "body", "category", "default_due_date", "is_active"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    # Revoking cancels open assignments with a reason: on the directive's page.
    readonly_fields = ["is_active"]
    ordering = ["position"]
    show_change_link = True
    can_delete = False


class DocumentLinkInline(admin.TabularInline):
    """Links are added here (through `document_link`); a link once made stays."""

    model = DocumentLink
    fk_name = "source"
    extra = 0
    autocomplete_fields = ["target"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


class DocumentAttachmentInline(ReadOnlyInline):
    model = Attachment
    fk_name = "document"
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


DOCUMENT_FIELDS = (
    "kind",
    "number",
    "title",
    "issued_on",
    "body",
    "issuing_unit",
    "signatory",
    "period_start",
    "period_end",
)


@admin.register(SourceDocument)
class SourceDocumentAdmin(InlineRefusalsMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "kind", "issued_on", "issuing_unit"]
    list_filter = ["kind", "issued_on"]
    search_fields = ["number", "title", "search_key"]
    date_hierarchy = "issued_on"
    readonly_fields = ["search_key", "created_by", "created_at", "updated_at"]
    inlines = [DirectiveInline, DocumentLinkInline, DocumentAttachmentInline]

    def has_delete_permission(self, request, obj=None):
        return False

    def apply_service(self, request, form, change):
        if not change:
            data = {name: form.cleaned_data.get(name) for name in DOCUMENT_FIELDS}
            return services.document_create(actor=request.user, **data)
        if changes := _changes(form, DOCUMENT_FIELDS):
            return services.document_update(actor=request.user, document=form.instance, **changes)
        return form.instance

    def save_formset(self, request, form, formset, change):
        document = form.instance
        # What the admin's change message reads from a formset it saved itself.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form in formset.deleted_forms:
                continue
            is_new = inline_form.instance.pk is None
            if formset.model is Directive:
                saved = save_directive(request, inline_form, document=document, change=not is_new)
            elif formset.model is DocumentLink and is_new:
                saved = services.document_link(
                    actor=request.user,
                    source=document,
                    target=inline_form.cleaned_data["target"],
                    relation=inline_form.cleaned_data["relation"],
                )
            else:
                continue
            if is_new:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, inline_form.changed_data))


@admin.register(Category)
class CategoryAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_vi", "name_en"]

    def apply_service(self, request, form, change):
        if not change:
            data = {name: form.cleaned_data.get(name) for name in services.CATEGORY_FIELDS}
            return services.category_create(actor=request.user, **data)
        if changes := _changes(form, services.CATEGORY_FIELDS):
            return services.category_update(actor=request.user, category=form.instance, **changes)
        return form.instance

    def has_delete_permission(self, request, obj=None):
        return False  # directives refer to it; deactivate instead


class DirectiveAdminForm(forms.ModelForm):
    revoke_reason = forms.CharField(
        label=_("lý do thu hồi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Điền lý do để thu hồi nhiệm vụ; các nhiệm vụ đang giao sẽ bị hủy."),
    )

    class Meta:
        model = Directive
        fields = ["document", *DIRECTIVE_FIELDS, "revoke_reason"]


@admin.register(Directive)
class DirectiveAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = DirectiveAdminForm
    list_display = ["document", "position", "label", "title", "category", "is_active"]
    list_filter = ["category", "is_active", "document__kind"]
    search_fields = ["title", "body", "search_key"]
    # Revoked through `directive_revoke` (the reason field), never unticked.
    readonly_fields = ["is_active", "search_key", "revoked_at", "created_at", "updated_at"]
    autocomplete_fields = ["document"]

    def get_readonly_fields(self, request, obj=None):
        # A directive stays in its document.
        return [*self.readonly_fields, "document"] if obj else self.readonly_fields

    def get_exclude(self, request, obj=None):
        # Only an active directive can be revoked.
        return ["revoke_reason"] if obj is None or not obj.is_active else []

    def has_delete_permission(self, request, obj=None):
        return False

    def apply_service(self, request, form, change):
        if not change:
            document = form.cleaned_data["document"]
            return save_directive(request, form, document=document, change=False)
        directive = save_directive(request, form, document=form.instance.document, change=True)
        if reason := form.cleaned_data.get("revoke_reason"):
            directive = services.directive_revoke(
                actor=request.user, directive=directive, reason=reason
            )
        return directive


class TimelinessFilter(admin.SimpleListFilter):
    title = _("tiến độ so với hạn")
    parameter_name = "timeliness"

    def lookups(self, request, model_admin):
        return Timeliness.choices

    def queryset(self, request, queryset):
        if self.value() in Timeliness.values:
            return queryset.filter(timeliness_q(self.value(), today=local_today()))
        return queryset


def _shown(field, value, units: dict[int, str]) -> str:
    """One value of the audit trail's JSON as a person reads it."""
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation and field.related_model is OrgUnit:
        return units.get(value, str(value))
    if isinstance(value, bool):
        return str(_("có") if value else _("không"))
    if isinstance(value, str) and field is not None:
        try:
            if field.get_internal_type() == "DateTimeField":
                instant = timezone.localtime(datetime.fromisoformat(value))
                return instant.strftime("%d/%m/%Y %H:%M")
            if field.get_internal_type() == "DateField":
                return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            pass
    return str(value)


def history_table(event: AssignmentEvent):
    """The fields an event changed, one row each: label, before, after."""
    names = list(dict.fromkeys([*event.before, *event.after]))
    if not names:
        return "—"
    fields = {}
    for name in names:
        try:
            fields[name] = Assignment._meta.get_field(name)
        except FieldDoesNotExist:
            fields[name] = None
    unit_ids = {
        value
        for name in names
        if fields[name] is not None and fields[name].related_model is OrgUnit
        for value in (event.before.get(name), event.after.get(name))
        if value is not None
    }
    units = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "short_name"))
    rows = format_html_join(
        "",
        '<tr><td class="thads-history-field">{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                capfirst(fields[name].verbose_name) if fields[name] is not None else name,
                _shown(fields[name], event.before.get(name), units),
                _shown(fields[name], event.after.get(name), units),
            )
            for name in names
        ),
    )
    return format_html(
        '<table class="thads-history"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr>'
        "</thead><tbody>{}</tbody></table>",
        capfirst(_("thông tin")),
        capfirst(_("trước")),
        capfirst(_("sau")),
        rows,
    )


class HistoryTableMixin:
    @admin.display(description=_("thay đổi"))
    def changes(self, obj):
        return history_table(obj)


class AssignmentEventInline(HistoryTableMixin, ReadOnlyInline):
    model = AssignmentEvent
    fields = ["at", "action", "actor", "changes", "note"]
    readonly_fields = fields
    ordering = ["at", "id"]


class ProgressReportInline(ReadOnlyInline):
    model = ProgressReport
    fields = ["created_at", "kind", "author", "percent", "note"]
    readonly_fields = fields


def _run(modeladmin, request, queryset, service, *, as_name: str = "assignment") -> None:
    done = 0
    for obj in queryset:
        try:
            service(actor=request.user, **{as_name: obj})
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, _("Đã xử lý %d mục.") % done, level=messages.SUCCESS)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    # Leadership reads the list on one screen: a short title, then what it
    # follows per row (unit, status, timeliness, deadline, progress).
    list_display = [
        "title_display",
        "unit_name",
        "status",
        "timeliness_display",
        "due_display",
        "progress_display",
    ]
    list_display_links = ["title_display"]
    list_filter = ["status", TimelinessFilter, "role", "unit", "directive__category"]
    search_fields = ["directive__search_key", "unit__search_key"]
    list_select_related = ["directive", "unit"]
    actions = ["accept_completion"]
    inlines = [ProgressReportInline, AssignmentEventInline]
    # Every field changes through the workflow (services), never by hand.
    readonly_fields = [
        *(field.name for field in Assignment._meta.fields if field.name != "id"),
        "next_reminder_display",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(timeliness=timeliness_expression(today=local_today()))
        )

    @admin.display(description=_("tiến độ so với hạn"), ordering="timeliness")
    def timeliness_display(self, obj):
        return Timeliness(obj.timeliness).label if obj.timeliness else "—"

    @admin.display(description=_("nhiệm vụ"), ordering="directive__position")
    def title_display(self, obj):
        return short_title(str(obj.directive))

    @admin.display(description=_("đơn vị"), ordering="unit__short_name")
    def unit_name(self, obj):
        return obj.unit.short_name or obj.unit.name

    @admin.display(description=_("hạn hiện hành"), ordering="due_date")
    def due_display(self, obj):
        return date_format(obj.due_date, "SHORT_DATE_FORMAT")

    @admin.display(description=_("tiến độ (%)"), ordering="progress")
    def progress_display(self, obj):
        return f"{obj.progress}%"

    @admin.display(description=_("lần nhắc hạn tới"))
    def next_reminder_display(self, obj):
        at = obj.next_reminder_at
        return date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT") if at else "—"

    def has_add_permission(self, request):
        return False  # assign through the directive's assign endpoint

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Công nhận hoàn thành (các nhiệm vụ đã báo cáo)"))
    def accept_completion(self, request, queryset):
        _run(self, request, queryset, services.assignment_accept)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = [
        "assignment",
        "requested_by",
        "previous_due_date",
        "requested_due_date",
        "status",
        "created_at",
    ]
    list_filter = ["status"]
    actions = ["approve"]
    readonly_fields = [field.name for field in ExtensionRequest._meta.fields if field.name != "id"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Chấp thuận gia hạn"))
    def approve(self, request, queryset):
        _run(
            self,
            request,
            queryset.filter(status=ExtensionStatus.PENDING),
            services.extension_approve,
            as_name="extension",
        )


@admin.register(AssignmentEvent)
class AssignmentEventAdmin(HistoryTableMixin, admin.ModelAdmin):
    list_display = ["at", "assignment", "action", "actor"]
    list_filter = ["action"]
    fields = ["assignment", "action", "actor", "at", "changes", "note"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = [field.name for field in Attachment._meta.fields if field.name != "id"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "before_working_days",
        "on_due_day",
        "overdue_every_days",
        "escalate_to_head",
        "escalate_to_leadership_after_days",
    ]
    autocomplete_fields = ["document", "directive"]

    def save_model(self, request, obj, form, change):
        # Through the service, so open assignments get their next reminder moved.
        rules = {name: form.cleaned_data[name] for name in services.POLICY_FIELDS}
        try:
            saved = services.reminder_policy_set(
                actor=request.user, document=obj.document, directive=obj.directive, **rules
            )
            obj.pk = saved.pk
        except DomainError as exc:
            self.message_user(request, str(exc.message), level=messages.ERROR)


@admin.register(RecurringSchedule)
class RecurringScheduleAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["directive", "rrule", "starts_on", "ends_on", "lead_time_days", "is_active"]
    list_filter = ["is_active"]
    autocomplete_fields = ["directive", "lead_unit"]
    filter_horizontal = ["units"]
    # A schedule stops when its directive is revoked (`directive_revoke`).
    readonly_fields = ["is_active", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        # One schedule per directive: a schedule is edited, never moved.
        return [*self.readonly_fields, "directive"] if obj else self.readonly_fields

    def apply_service(self, request, form, change):
        data = form.cleaned_data
        return services.recurring_schedule_set(
            actor=request.user,
            directive=form.instance.directive if change else data["directive"],
            rrule=data["rrule"],
            starts_on=data["starts_on"],
            units=list(data["units"]),
            ends_on=data.get("ends_on"),
            lead_unit=data.get("lead_unit"),
            lead_time_days=data["lead_time_days"],
        )

    def save_related(self, request, form, formsets, change):
        pass  # the units were set by `recurring_schedule_set`
