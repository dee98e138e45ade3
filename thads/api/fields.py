"""Serializer fields the API shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from thads.clock import EARLIEST_DAY, LATEST_DAY, day_in_range


class DayField(serializers.DateField):
    """A date the service works with (thads.clock.EARLIEST_DAY to LATEST_DAY);
    outside that range, a 400 that says the range."""

    default_error_messages = {
        "out_of_range": _("Ngày phải trong khoảng từ {earliest} đến {latest}."),
    }

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not day_in_range(day):
            self.fail(
                "out_of_range",
                earliest=EARLIEST_DAY.strftime("%d/%m/%Y"),
                latest=LATEST_DAY.strftime("%d/%m/%Y"),
            )
        return day
