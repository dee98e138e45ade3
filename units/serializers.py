from django.contrib.auth import get_user_model
from rest_framework import serializers

from thads.api.fields import DayField
from thads.api.ids import MAX_ID
from units.models import LoginSession, Membership, OrgUnit, Role, UnitChange, UnitKind


class UnitSerializer(serializers.ModelSerializer):
    successors = serializers.SerializerMethodField()

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "valid_from",
            "valid_to",
            "successors",
        ]
        read_only_fields = fields

    def get_successors(self, unit: OrgUnit) -> list[int]:
        return [link.successor_id for link in unit.successor_links.all()]


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name"]
        read_only_fields = fields


class UnitCreateInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=255)
    short_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True, default=None
    )
    valid_from = DayField(required=False, allow_null=True, default=None)
    valid_to = DayField(required=False, allow_null=True, default=None)


class UnitUpdateInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, required=False)
    name = serializers.CharField(max_length=255, required=False)
    short_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    valid_from = DayField(required=False, allow_null=True)
    valid_to = DayField(required=False, allow_null=True)


class UnitRenameInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    short_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    effective_on = DayField(required=False)


class UnitMergeInputSerializer(serializers.Serializer):
    sources = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), many=True, allow_empty=False
    )
    into = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    effective_on = DayField()
    transfer_memberships = serializers.BooleanField(required=False, default=False)


class UnitSplitPartSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=255)
    short_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class UnitSplitInputSerializer(serializers.Serializer):
    parts = UnitSplitPartSerializer(many=True, allow_empty=False)
    effective_on = DayField()


class UnitChangeSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = UnitChange
        fields = ["id", "event", "effective_on", "before", "after", "actor", "at"]
        read_only_fields = fields


class UnitTreeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    children = serializers.ListField(child=serializers.DictField())


class MembershipSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    unit = UnitBriefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "user_id", "unit", "role", "valid_from", "valid_to"]
        read_only_fields = fields


class MembershipCreateInputSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    role = serializers.ChoiceField(choices=Role.choices)
    valid_from = DayField(required=False, allow_null=True, default=None)
    valid_to = DayField(required=False, allow_null=True, default=None)


class MembershipEndInputSerializer(serializers.Serializer):
    valid_to = DayField()


class MeMembershipSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["unit", "role"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    is_leadership = serializers.BooleanField()
    memberships = MeMembershipSerializer(many=True)
    acting_unit_ids = serializers.ListField(child=serializers.IntegerField())
    visible_unit_ids = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="null means every unit (leadership).",
    )
    permissions = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the caller may do: the actions clients should offer.",
    )
    session = serializers.IntegerField(
        allow_null=True, help_text="The sign-in session of this token (null for session auth)."
    )


class WorkingDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    working = serializers.BooleanField()
    name = serializers.CharField(allow_null=True)


class LoginSessionSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = LoginSession
        fields = [
            "id",
            "user",
            "device_id",
            "device_name",
            "created_at",
            "last_used_at",
            "revoked_at",
            "revoked_reason",
            "is_current",
        ]
        read_only_fields = fields

    def get_is_current(self, session: LoginSession) -> bool:
        request = self.context.get("request")
        current = getattr(getattr(request, "user", None), "login_session_id", None)
        return current == session.pk


class LoginSessionQuerySerializer(serializers.Serializer):
    user = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_ID,
        help_text="Leadership: whose sessions to list (the caller's by default).",
    )


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "email", "is_active", "last_login"]
        read_only_fields = fields
