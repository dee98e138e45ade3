from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directives.models import (
    Assignment,
    AssignmentEvent,
    Attachment,
    Category,
    Directive,
    DocumentKind,
    DocumentLink,
    DocumentRelation,
    ExtensionRequest,
    ProgressReport,
    RecurringSchedule,
    ReminderPolicy,
    SourceDocument,
    Timeliness,
)
from thads.api.fields import DayField
from thads.text import nfc
from units.models import OrgUnit

# --- output -------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        return f"/api/v1/attachments/{attachment.pk}/download/"


class DocumentLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentLink
        fields = ["relation", "target"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    links = DocumentLinkSerializer(source="outgoing_links", many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = SourceDocument
        fields = [
            "id",
            "kind",
            "number",
            "title",
            "issued_on",
            "issuing_unit",
            "signatory",
            "body",
            "period_start",
            "period_end",
            "links",
            "attachments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=200
    )

    class Meta:
        model = Category
        fields = ["code", "name_vi", "name_en", "keywords", "position", "is_active"]


class DirectiveSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Directive
        fields = [
            "id",
            "document",
            "label",
            "position",
            "title",
            "body",
            "category",
            "default_due_date",
            "is_active",
            "revoked_at",
            "updated_at",
        ]
        read_only_fields = fields


class ExtractedItemSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=20)
    position = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    body = serializers.CharField()
    category = serializers.CharField(max_length=40)


class ExtractPreviewSerializer(serializers.Serializer):
    items = ExtractedItemSerializer(many=True)


class ReportBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = ["id", "kind", "percent", "note", "created_at"]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    directive_label = serializers.CharField(source="directive.label", read_only=True)
    directive_title = serializers.CharField(source="directive.title", read_only=True)
    document = serializers.IntegerField(source="directive.document_id", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    timeliness = serializers.ChoiceField(
        choices=Timeliness.choices, allow_null=True, read_only=True
    )
    latest_report = ReportBriefSerializer(read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "directive",
            "directive_label",
            "directive_title",
            "document",
            "unit",
            "unit_code",
            "unit_name",
            "role",
            "status",
            "progress",
            "due_date",
            "original_due_date",
            "timeliness",
            "version",
            "extension_count",
            "return_count",
            "assigned_at",
            "acknowledged_by",
            "acknowledged_at",
            "reported_at",
            "completed_at",
            "cancelled_at",
            "latest_report",
            "allowed_actions",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, assignment: Assignment) -> list[str]:
        from directives.access import allowed_actions

        scope = self.context.get("scope")
        return allowed_actions(scope=scope, assignment=assignment) if scope else []


class ProgressReportSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    figures = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "assignment",
            "kind",
            "author",
            "percent",
            "note",
            "figures",
            "client_uuid",
            "attachments",
            "created_at",
        ]
        read_only_fields = fields


class ExtensionRequestSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "assignment",
            "requested_by",
            "requested_due_date",
            "reason",
            "status",
            "previous_due_date",
            "decided_by",
            "decided_at",
            "decision_reason",
            "client_uuid",
            "attachments",
            "created_at",
        ]
        read_only_fields = fields


class AssignmentEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AssignmentEvent
        fields = ["id", "action", "actor", "at", "before", "after", "note"]
        read_only_fields = fields


# --- input --------------------------------------------------------------------


class DocumentLinkInputSerializer(serializers.Serializer):
    relation = serializers.ChoiceField(choices=DocumentRelation.choices)
    target = serializers.PrimaryKeyRelatedField(queryset=SourceDocument.objects.all())


class DocumentCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    number = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    title = serializers.CharField(max_length=500)
    issued_on = DayField()
    body = serializers.CharField(required=False, default="", allow_blank=True, max_length=200_000)
    issuing_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True, default=None
    )
    signatory = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    period_start = DayField(required=False, allow_null=True, default=None)
    period_end = DayField(required=False, allow_null=True, default=None)
    links = DocumentLinkInputSerializer(many=True, required=False, default=list)


class DocumentUpdateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False)
    number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    title = serializers.CharField(max_length=500, required=False)
    issued_on = DayField(required=False)
    body = serializers.CharField(required=False, allow_blank=True, max_length=200_000)
    signatory = serializers.CharField(max_length=150, required=False, allow_blank=True)
    period_start = DayField(required=False, allow_null=True)
    period_end = DayField(required=False, allow_null=True)


class ExtractInputSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(default=False)
    items = ExtractedItemSerializer(many=True, required=False, allow_empty=False)
    default_due_date = DayField(required=False, allow_null=True, default=None)


class DirectiveCreateInputSerializer(serializers.Serializer):
    document = serializers.PrimaryKeyRelatedField(queryset=SourceDocument.objects.all())
    label = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    body = serializers.CharField(max_length=50_000)
    category = serializers.CharField(max_length=40)
    position = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    default_due_date = DayField(required=False, allow_null=True, default=None)


class DirectiveUpdateInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=20, required=False)
    title = serializers.CharField(max_length=300, required=False)
    body = serializers.CharField(max_length=50_000, required=False)
    category = serializers.CharField(max_length=40, required=False)
    default_due_date = DayField(required=False, allow_null=True)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class AssignInputSerializer(serializers.Serializer):
    units = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), many=True, allow_empty=False
    )
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True, default=None
    )
    due_date = DayField()


MAX_FIGURES = 50
MAX_FIGURE = 10**15  # đồng: far above any province's yearly amounts, well inside 2**53


class FiguresField(serializers.DictField):
    """A report's figures: name → whole number (cases, đồng; never a float). From
    JSON an object, from multipart `figures.<name>=<number>` fields. Names are
    text without control characters (PostgreSQL's jsonb refuses a NUL)."""

    child = serializers.IntegerField(min_value=-MAX_FIGURE, max_value=MAX_FIGURE)
    default_error_messages = {
        "too_many": _("Tối đa {count} chỉ tiêu."),
        "bad_name": _("Tên chỉ tiêu phải là chữ, từ 1 đến 100 ký tự, không có ký tự điều khiển."),
    }

    def to_internal_value(self, data):
        figures = super().to_internal_value(data)
        if len(figures) > MAX_FIGURES:
            self.fail("too_many", count=MAX_FIGURES)
        named = {}
        for name, value in figures.items():
            clean = nfc(name).strip()
            if not clean or len(clean) > 100 or any(ord(c) < 32 or ord(c) == 127 for c in clean):
                self.fail("bad_name")
            named[clean] = value
        return named


class ProgressInputSerializer(serializers.Serializer):
    percent = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    figures = FiguresField(required=False, default=dict)
    client_uuid = serializers.UUIDField(required=False, allow_null=True, default=None)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class ExtensionInputSerializer(serializers.Serializer):
    requested_due_date = DayField()
    reason = serializers.CharField(max_length=5000)
    client_uuid = serializers.UUIDField(required=False, allow_null=True, default=None)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class CompleteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    client_uuid = serializers.UUIDField(required=False, allow_null=True, default=None)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class AssignmentUpdateInputSerializer(serializers.Serializer):
    due_date = DayField(required=False)
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class TransferInputSerializer(serializers.Serializer):
    from_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    to_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())


class ReminderPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReminderPolicy
        fields = [
            "id",
            "is_default",
            "document",
            "directive",
            "before_working_days",
            "on_due_day",
            "overdue_first_after_days",
            "overdue_every_days",
            "escalate_to_head",
            "escalate_to_leadership_after_days",
            "updated_at",
        ]
        read_only_fields = fields


class ReminderPolicyInputSerializer(serializers.Serializer):
    document = serializers.PrimaryKeyRelatedField(
        queryset=SourceDocument.objects.all(), required=False, allow_null=True, default=None
    )
    directive = serializers.PrimaryKeyRelatedField(
        queryset=Directive.objects.all(), required=False, allow_null=True, default=None
    )
    before_working_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=60), required=False, max_length=10
    )
    on_due_day = serializers.BooleanField(required=False)
    overdue_first_after_days = serializers.IntegerField(min_value=1, max_value=60, required=False)
    overdue_every_days = serializers.IntegerField(min_value=1, max_value=60, required=False)
    escalate_to_head = serializers.BooleanField(required=False)
    escalate_to_leadership_after_days = serializers.IntegerField(
        min_value=0, max_value=365, required=False, allow_null=True
    )

    def validate(self, attrs):
        if attrs.get("document") is not None and attrs.get("directive") is not None:
            raise serializers.ValidationError(
                {"directive": [_("Chọn một văn bản hoặc một nhiệm vụ, không chọn cả hai.")]}
            )
        return attrs


class RecurringScheduleSerializer(serializers.ModelSerializer):
    units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = RecurringSchedule
        fields = [
            "directive",
            "rrule",
            "starts_on",
            "ends_on",
            "units",
            "lead_unit",
            "lead_time_days",
            "is_active",
        ]
        read_only_fields = fields


class RecurringScheduleInputSerializer(serializers.Serializer):
    rrule = serializers.CharField(max_length=500)
    starts_on = DayField()
    ends_on = DayField(required=False, allow_null=True, default=None)
    units = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), many=True, allow_empty=False
    )
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True, default=None
    )
    lead_time_days = serializers.IntegerField(min_value=1, max_value=366, default=30)
