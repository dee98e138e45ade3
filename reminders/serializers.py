from rest_framework import serializers

from reminders.models import ReminderLedger


class ReminderLedgerSerializer(serializers.ModelSerializer):
    recipient = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReminderLedger
        fields = [
            "id",
            "assignment",
            "kind",
            "deadline",
            "recipient",
            "channel",
            "state",
            "reason",
            "attempts",
            "last_error",
            "due_at",
            "created_at",
            "sent_at",
            "next_attempt_at",
        ]
        read_only_fields = fields
