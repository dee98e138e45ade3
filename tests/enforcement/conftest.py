"""Helpers for the statistics tests: figures that keep every rule, and reports."""

import copy

import pytest

from enforcement import services
from enforcement.seed_figures import complete

API = "/api/v1/statistics"

CASES = {
    "carried_over": 100,
    "received": 60,
    "entrusted_out": 10,
    "to_enforce": 150,
    "enforceable": 120,
    "not_yet_enforceable": 30,
    "completed": 70,
    "terminated": 5,
    "carried_forward": 75,
}
MONEY = {
    "carried_over": 900_000_000_000,
    "received": 400_000_000_000,
    "entrusted_out": 100_000_000_000,
    "to_enforce": 1_200_000_000_000,
    "enforceable": 800_000_000_000,
    "not_yet_enforceable": 400_000_000_000,
    "completed": 300_000_000_000,
    "terminated": 20_000_000_000,
    "reduced": 5_000_000_000,
    "carried_forward": 875_000_000_000,
}


def figures(scale: int = 1, **changes) -> dict:
    """A valid body's `cases` and `money`; `scale` divides every primitive figure
    (a smaller group), `changes` like `cases__completed=3` set one figure as is."""
    primitives = ("carried_over", "entrusted_out", "enforceable", "not_yet_enforceable")
    cases = complete(
        {
            **{k: CASES[k] // scale for k in primitives},
            "completed": CASES["completed"] // scale,
            "terminated": CASES["terminated"] // scale,
        },
        money=False,
    )
    money = complete(
        {
            **{k: MONEY[k] // scale for k in primitives},
            "completed": MONEY["completed"] // scale,
            "terminated": MONEY["terminated"] // scale,
            "reduced": MONEY["reduced"] // scale,
        },
        money=True,
    )
    body = {"cases": copy.deepcopy(cases), "money": copy.deepcopy(money)}
    for key, value in changes.items():
        metric, name = key.split("__")
        body[metric][name] = value
    return body


def make_report(actor, unit, *, year=2022, months=6, group="all", scale=1, **changes):
    return services.report_create(
        actor=actor, unit=unit, year=year, months=months, group=group, **figures(scale, **changes)
    )


@pytest.fixture
def report(people, org):
    """A draft `all` report of Hiệp Hòa for 6 months of 2022, by its officer."""
    return make_report(people.officer, org.hiephoa)
