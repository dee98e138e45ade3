"""Property: the API's rate is always (completed + terminated) × 100 / enforceable,
rounded half up with Decimal, for any figures up to 10^15 (money and cases)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enforcement import services
from enforcement.figures import MAX_FIGURE
from enforcement.seed_figures import complete
from tests.enforcement.conftest import API

figure = st.integers(min_value=0, max_value=MAX_FIGURE)


def _expected(resolved: int, base: int):
    if base == 0:
        return None
    exact = Decimal(resolved) * 100 / Decimal(base)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@st.composite
def reports(draw):
    """Primitive figures of a valid report: completed + terminated ≤ enforceable,
    every derived figure within 0 … 10^15."""
    enforceable = draw(figure)
    completed = draw(st.integers(0, enforceable))
    terminated = draw(st.integers(0, enforceable - completed))
    not_yet = draw(st.integers(0, MAX_FIGURE - enforceable))
    to_enforce = enforceable + not_yet
    carried_over = draw(st.integers(0, to_enforce))
    reduced = draw(st.integers(0, to_enforce - completed - terminated))
    return {
        "enforceable": enforceable,
        "not_yet_enforceable": not_yet,
        "completed": completed,
        "terminated": terminated,
        "carried_over": carried_over,
        "entrusted_out": 0,
        "reduced": reduced,
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cases=reports(), money=reports())
def test_the_api_rate_is_the_decimal_half_up_rate(client_for, people, org, cases, money):
    client = client_for(people.director)
    with transaction.atomic():
        report = services.report_create(
            actor=people.director,
            unit=org.hiephoa,
            year=2022,
            months=6,
            group="all",
            cases=complete(cases, money=False),
            money=complete(money, money=True),
        )
        services.report_submit(actor=people.director, report=report)
        services.report_validate(actor=people.director, report=report)
        answer = client.get(f"{API}/summary/?year=2022&months=6").json()
        transaction.set_rollback(True)
    for metric, primitive in (("cases", cases), ("money", money)):
        resolved = primitive["completed"] + primitive["terminated"]
        assert answer[metric]["rate"] == _expected(resolved, primitive["enforceable"])
        assert answer[metric]["enforceable"] == primitive["enforceable"]
