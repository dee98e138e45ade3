"""The arithmetic of the statistics, as pure functions: rates, periods, format."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from enforcement import figures as fig
from tests.enforcement.conftest import figures


def test_rate_reproduces_the_seed_printed_rates():
    assert fig.percent(4_778, 7_479) == Decimal("63.89")
    assert fig.percent(195_723_741_000, 761_546_547_000) == Decimal("25.70")
    assert fig.percent(7_479, 9_112) == Decimal("82.08")
    assert fig.percent(56, 216) == Decimal("25.93")


def test_percent_rounds_half_up_and_is_none_on_zero_base():
    assert fig.percent(1, 8) == Decimal("12.50")
    assert fig.percent(1, 800) == Decimal("0.13")  # 0.125 → 0.13, not banker's 0.12
    assert fig.percent(2, 3) == Decimal("66.67")
    assert fig.percent(0, 0) is None
    assert fig.percent(5, 0) is None


@given(
    resolved=st.integers(min_value=0, max_value=fig.MAX_FIGURE),
    extra=st.integers(min_value=0, max_value=fig.MAX_FIGURE),
)
def test_percent_equals_decimal_half_up_for_figures_up_to_10_15(resolved, extra):
    base = resolved + extra
    expected = (
        None
        if base == 0
        else (Decimal(resolved) * 100 / Decimal(base)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    )
    assert fig.percent(resolved, base) == expected


def test_period_bounds_count_months_from_1_october():
    assert fig.period_bounds(2022, 6) == (date(2021, 10, 1), date(2022, 3, 31))
    assert fig.period_bounds(2022, 1) == (date(2021, 10, 1), date(2021, 10, 31))
    assert fig.period_bounds(2022, 3) == (date(2021, 10, 1), date(2021, 12, 31))
    assert fig.period_bounds(2022, 12) == (date(2021, 10, 1), date(2022, 9, 30))
    assert fig.period_bounds(2024, 5) == (date(2023, 10, 1), date(2024, 2, 29))


def test_vietnamese_number_format():
    assert fig.vn_int(7_479) == "7.479"
    assert fig.vn_money(761_546_547_000) == "761.546.547.000đ"
    assert fig.vn_percent(Decimal("63.89")) == "63,89"
    assert fig.vn_percent(Decimal("25.70")) == "25,7"
    assert fig.vn_percent(Decimal("40.00")) == "40"


def test_check_value_refuses_what_is_not_a_whole_non_negative_number():
    assert fig.check_value(0) is None
    assert fig.check_value(10**15) is None
    assert fig.check_value(10**15 + 1) == fig.TOO_LARGE
    assert fig.check_value(-1) == fig.NEGATIVE
    for bad in (1.0, 1.5, "1.000", "1000", True, None, [1]):
        assert fig.check_value(bad) == fig.NOT_WHOLE_NUMBER, bad


def test_valid_figures_break_no_rule():
    body = figures()
    assert fig.check_report(body["cases"], body["money"]) == []


def test_each_identity_is_checked_on_its_field():
    cases = figures()["cases"]
    money = figures()["money"]
    broken = {
        "to_enforce": fig.TO_ENFORCE_SUM,
        "not_yet_enforceable": fig.ENFORCEABLE_SPLIT,
        "carried_forward": fig.CARRIED_FORWARD_SUM,
    }
    for name, code in broken.items():
        bad = {**money, name: money[name] + 1}
        rules = fig.check_report(cases, bad)
        assert fig.RuleBreak(f"money.{name}", code) in rules, name
    over = {**cases, "completed": cases["enforceable"] + 1}
    codes = {rule.code for rule in fig.check_report(over, money)}
    assert fig.RESOLVED_EXCEEDS_ENFORCEABLE in codes
