"""Province statistics summary: the API against the same aggregate in raw SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thads_stats \
        .venv/bin/python bench/statistics_summary.py

Data (built once, reused by later runs): 200 units × 5 statistical years × 12
cumulative months × 6 groups = 72,000 validated unit reports, besides the
demo's seed. Variants, interleaved round by round:

- floor: one raw psycopg query (the same SUMs grouped by year, the same
  filters), the targets, the rates computed with the same pure functions, and
  orjson; no Django request, no authentication;
- API: `GET /api/v1/statistics/summary/?year=2023&months=6` as the director,
  through the whole stack (JWT, scope, validation, selector, serializer, renderer);
- selector: `enforcement.selectors.summary` and the serializer, without HTTP.

Before timing, the floor's JSON must equal the API's. Query counts are taken
outside the timed loop, for the full data and for a filter on one unit.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import common
from bench.common import Variant, count_queries, ensure_database, machine, measure, p90

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/thads_stats"
UNITS = 200
YEARS = range(2019, 2024)
MONTHS = range(1, 13)
EXTRA_GROUP = ("bench", "Nhóm đo hiệu năng")
CODE_PREFIX = "BENCH-"
YEAR, PERIOD = 2023, 6
URL = f"/api/v1/statistics/summary/?year={YEAR}&months={PERIOD}"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
WARMUP_ROUNDS = 5
GOAL = 1.5


def configure_environment() -> str | None:
    return common.configure_environment(
        default_url=DEFAULT_DATABASE_URL, bench="bench/statistics_summary.py"
    )


# --- data -----------------------------------------------------------------------------


def _figures(rng: random.Random, months: int, share: int):
    from enforcement.seed_figures import complete

    base = rng.randint(200, 2_000)
    cases = complete(
        {
            "carried_over": base // share,
            "entrusted_out": months * 2 // share,
            "enforceable": (base + months * 40) // share,
            "not_yet_enforceable": base // 3 // share,
            "completed": months * 20 // share,
            "terminated": months // share,
        },
        money=False,
    )
    unit = rng.randint(1, 9) * 1_000_000_000
    money = complete(
        {
            "carried_over": unit * 10 // share,
            "entrusted_out": unit // 10 * months // share,
            "enforceable": unit * (6 + months) // share,
            "not_yet_enforceable": unit * 4 // share,
            "completed": unit * months // 3 // share,
            "terminated": unit // 100 * months // share,
            "reduced": unit // 1000 * months // share,
        },
        money=True,
    )
    return cases, money


def build_data() -> int:
    from django.db import transaction
    from django.utils import timezone

    from enforcement.models import ReportStatus, StatGroup, UnitReport
    from enforcement.services import report_due_date
    from units.models import OrgUnit, UnitKind

    rng = random.Random(2022)
    now = timezone.now()
    StatGroup.objects.get_or_create(code=EXTRA_GROUP[0], defaults={"name": EXTRA_GROUP[1]})
    groups = list(StatGroup.objects.order_by("position", "id"))[:6]
    parent = OrgUnit.objects.get(code="BG-CUC")
    with transaction.atomic():
        units = OrgUnit.objects.bulk_create(
            OrgUnit(
                code=f"{CODE_PREFIX}{i:03d}",
                name=f"Đơn vị đo hiệu năng {i:03d}",
                kind=UnitKind.SUB_DEPARTMENT,
                parent=parent,
            )
            for i in range(UNITS)
        )
        due = {(y, m): report_due_date(y, m) for y in YEARS for m in MONTHS}
        batch = []
        for unit in units:
            for year in YEARS:
                for months in MONTHS:
                    for share, group in enumerate(groups, start=1):
                        cases, money = _figures(rng, months, share)
                        report = UnitReport(
                            unit=unit,
                            year=year,
                            months=months,
                            group=group,
                            status=ReportStatus.VALIDATED,
                            due_date=due[(year, months)],
                            created_at=now,
                            updated_at=now,
                            validated_at=now,
                        )
                        for metric, values in (("cases", cases), ("money", money)):
                            for name, value in values.items():
                                setattr(report, f"{metric}_{name}", value)
                        batch.append(report)
            if len(batch) >= 5_000:
                UnitReport.objects.bulk_create(batch)
                batch = []
        UnitReport.objects.bulk_create(batch)
    return len(units) * len(YEARS) * len(MONTHS) * len(groups)


def prepare_data() -> str | None:
    from django.core.management import call_command
    from django.db import connection

    from enforcement.models import UnitReport

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())
    existing = UnitReport.objects.filter(unit__code__startswith=CODE_PREFIX).count()
    expected = UNITS * len(YEARS) * len(MONTHS) * 6
    if existing == 0:
        print(f"building {expected:,} unit reports (once) ...", flush=True)
        started = time.monotonic()
        build_data()
        print(f"built in {time.monotonic() - started:.0f} s", flush=True)
    elif existing != expected:
        return f"the database holds {existing:,} bench reports, expected {expected:,}: drop it"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE enforcement_unitreport")
    return None


# --- the floor ------------------------------------------------------------------------


def floor_function():
    """The same answer from raw SQL: one aggregate, one targets query, orjson."""
    import orjson
    import psycopg
    from django.db import connection

    from enforcement import figures as fig
    from enforcement.models import COLUMNS

    params = connection.get_connection_params()
    conn = psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    sums = ", ".join(f"SUM({c})" for c in COLUMNS)
    aggregate = (
        f"SELECT r.year, COUNT(*), {sums} FROM enforcement_unitreport r "
        "JOIN enforcement_statgroup g ON g.id = r.group_id "
        "WHERE g.code = %s AND r.year IN (%s, %s) AND r.months = %s AND r.status = 'validated' "
        "GROUP BY r.year"
    )
    targets = (
        "SELECT t.metric, t.rate FROM enforcement_target t "
        "JOIN enforcement_statgroup g ON g.id = t.group_id "
        "WHERE t.year = %s AND g.code = %s AND t.unit_id IS NULL"
    )

    def number(value):
        return None if value is None else float(value)

    def metric(name, current, previous, target):
        names = fig.FIGURES[name]
        now = {n: int(current[f"{name}_{n}"]) for n in names}
        rate = fig.rate(now)
        before = {n: int(previous[f"{name}_{n}"]) for n in names} if previous else None
        same = fig.rate(before) if before else None
        return {
            **now,
            "enforceable_share": number(fig.enforceable_share(now)),
            "rate": number(rate),
            "same_period_rate": number(same),
            "change_points": number(fig.points(rate, same)),
            "target": number(target),
            "gap_points": number(fig.points(rate, target)),
        }

    def run() -> bytes:
        with conn.cursor() as cursor:
            cursor.execute(aggregate, ["all", YEAR, YEAR - 1, PERIOD])
            rows = {row[0]: row for row in cursor.fetchall()}
            cursor.execute(targets, [YEAR, "all"])
            goal = dict(cursor.fetchall())
        by_year = {
            year: {"reports": row[1], **dict(zip(COLUMNS, row[2:], strict=True))}
            for year, row in rows.items()
        }
        current, previous = by_year.get(YEAR), by_year.get(YEAR - 1)
        body = {
            "year": YEAR,
            "months": PERIOD,
            "group": "all",
            "unit": None,
            "reports": current["reports"],
            "same_period_reports": previous["reports"] if previous else 0,
            "cases": metric("cases", current, previous, goal.get("cases")),
            "money": metric("money", current, previous, goal.get("money")),
        }
        return orjson.dumps(body)

    return run


def main() -> int:
    error = configure_environment() or ensure_database()
    if error:
        print(error, file=sys.stderr)
        return 2
    import django

    django.setup()

    import orjson
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    from enforcement.models import UnitReport
    from enforcement.selectors import summary
    from enforcement.serializers import StatisticsSummarySerializer
    from units.models import User

    info = machine()
    error = prepare_data()
    if error:
        print(error, file=sys.stderr)
        return 1
    director = User.objects.get(username="director")
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(director)}"}

    def api() -> int:
        response = client.get(URL, **headers)
        assert response.status_code == 200, response.content[:300]
        return len(response.content)

    def selector() -> int:
        director.__dict__.pop("_thads_scope_cache", None)
        result = summary(user=director, year=YEAR, months=PERIOD, group="all")
        return len(orjson.dumps(StatisticsSummarySerializer(result).data))

    floor = floor_function()
    expected = orjson.loads(client.get(URL, **headers).content)
    if orjson.loads(floor()) != expected:
        print("the floor's answer differs from the API's", file=sys.stderr)
        return 1
    variants = [
        Variant("floor: raw psycopg aggregate + orjson", lambda: len(floor()), []),
        Variant("API director, province summary (HTTP, JWT)", api, []),
        Variant("selector + serializer, no HTTP", selector, []),
    ]
    for variant in variants[1:]:
        variant.queries, variant.size = count_queries(variant.run)
    variants[0].queries, variants[0].size = 2, len(floor())
    hiephoa = client.get(
        f"{URL}&unit={User.objects.get(username='hiephoa.officer').memberships.get().unit_id}",
        **headers,
    )
    assert hiephoa.status_code == 200
    started = time.monotonic()
    measure(variants, rounds=ROUNDS, warmup=WARMUP_ROUNDS)
    elapsed = time.monotonic() - started

    total = UnitReport.objects.count()
    floor_ms = statistics.median(variants[0].samples)
    print()
    print(f"## Statistics summary, {total:,} unit reports (PostgreSQL)")
    print()
    for key, value in info.items():
        print(f"- {key}: {value}")
    print(f"- {ROUNDS} timed rounds after {WARMUP_ROUNDS} warm-up, interleaved ({elapsed:.0f} s)")
    print(f"- summed: {expected['reports']} + {expected['same_period_reports']} reports")
    print()
    print("| variant | median ms | p90 ms | queries | bytes | × floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for v in variants:
        median = statistics.median(v.samples)
        print(
            f"| {v.name} | {median:.2f} | {p90(v.samples):.2f} | {v.queries} | {v.size} | "
            f"{median / floor_ms:.2f} |"
        )
    ratio = statistics.median(variants[1].samples) / floor_ms
    print()
    print(f"API / floor = {ratio:.2f} (goal ≤ {GOAL})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
