"""Exact two-decimal figures for reports and statistics.

DESIGN §5b: rates are percentages with two decimals, rounded half up, from
integers or Decimal, never floats, and null where the base is 0. One rule, used
by the timeliness report and the enforcement statistics alike."""

from __future__ import annotations

from decimal import Decimal

_CENTS: dict[int, Decimal] = {}


def hundredths(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator (whole numbers, denominator > 0) with two decimals,
    rounded half up, in integers: floor(x × 100 + 1/2) hundredths. Exact at any
    size (money totals pass 10^15)."""
    cents = (numerator * 200 + denominator) // (2 * denominator)
    value = _CENTS.get(cents)
    if value is None:
        value = Decimal(cents).scaleb(-2)
        if len(_CENTS) < 100_000:  # Decimals are immutable: one per value is enough
            _CENTS[cents] = value
    return value


def percent(part: int, base: int) -> Decimal | None:
    """part × 100 / base, two decimals, half up; None where the base is 0."""
    if not base:
        return None
    return hundredths(part * 100, base)
