"""Serializer fields the API shares."""

from rest_framework import serializers

from thads.clock import DAY_RANGE, OUT_OF_RANGE, day_in_range


class DayField(serializers.DateField):
    """A date the service works with (thads.clock.EARLIEST_DAY to LATEST_DAY);
    outside that range, a 400 that says the range."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not day_in_range(day):
            raise serializers.ValidationError(OUT_OF_RANGE % DAY_RANGE, code="out_of_range")
        return day
