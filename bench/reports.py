"""Leadership's reports at 1,000,000 assignments on PostgreSQL: the timeliness
report against its floor, and the 100,000-row exports' time and peak memory.

    make bench BENCH_ARGS=reports                          # through bench/run.py
    .venv/bin/python bench/reports.py                      # 1,000,000 assignments
    .venv/bin/python bench/reports.py --assignments 200000 # a smaller build
    .venv/bin/python bench/reports.py --rebuild            # drop the database, build again
    DATABASE_URL=postgres://user@host:5432/db .venv/bin/python bench/reports.py

What it does:

1. Points Django at `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/
   thads_reports_bench), a database of its own (`--rebuild` drops it); SQLite is refused.
2. Builds the data once with bench/mobile_feed.py's builder (migrate, `seed_demo`,
   INSERT ... SELECT), at `--assignments` (a multiple of 100; default 1,000,000):
   documents × 10 directives × 10 units, deadlines from 2022 to a month ago, mostly
   done (13 % late), some open, overdue, cancelled, 6 % extended. `hiephoa.officer`
   sees about 9 % of the rows, `director` all of them. A row in `bench_reports`
   records the build; a later run reuses it.
3. Times, interleaved in one loop (rotating order each round), for `director` and
   `hiephoa.officer`, grouped by unit and by directive:
   - `GET /api/v1/reports/timeliness/?group_by=...`, in-process through Django's test
     Client (the whole middleware stack, JWT authentication, scope, serialisation);
   - the floor: the same GROUP BY (four conditional counts, the two sums, the
     group's name joined) written in raw SQL, run on a psycopg connection of its own
     with the caller's visible units given as literal ids, rows serialised with
     orjson: no Django, no authentication, no scope lookup. It does not compute the
     average delay in working days (one more grouped query and a calendar) that the
     endpoint also answers, so the ratio includes that work.
   Before timing, checks that floor and endpoint give the same counts per group.
4. Counts the endpoint's queries per request (outside the timed loop) for both users
   and both groupings: the same for all four.
5. Exports the assignment list as the export task does (the table read in chunks,
   written by reports.exports to a temporary file), CSV and XLSX, at 20,000 and at
   100,000 rows: wall time, and peak Python memory under tracemalloc in a second run
   (tracemalloc slows Python down, so time and memory are measured apart). The peak
   should not grow with the rows.

BENCH_ROUNDS (default 20) or --rounds sets the timed rounds.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench import mobile_feed as data  # noqa: E402
from bench.assignment_list import ApiClient  # noqa: E402
from bench.common import Variant, count_queries, measure, p90  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/thads_reports_bench"
META_TABLE = "bench_reports"
ASSIGNMENTS = 1_000_000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
WARMUP_ROUNDS = 2
USERS = ("director", "hiephoa.officer")
GROUPINGS = ("unit", "directive")
EXPORT_SIZES = (20_000, 100_000)
GOAL = 1.5  # the endpoint within 1.5× its floor

GROUPS = {
    # group_by → (the GROUP BY column on the assignment, the name's join and expression)
    "unit": ("a.unit_id", "JOIN units_orgunit g ON g.id = a.unit_id", "g.name"),
    "directive": (
        "a.directive_id",
        "JOIN directives_directive g ON g.id = a.directive_id",
        "'(' || g.label || ') ' || g.title",
    ),
}


def set_scale(assignments: int) -> None:
    """Point mobile_feed's builder at this benchmark's size and bookkeeping table."""
    if assignments % 100 or assignments <= 0:
        raise SystemExit("--assignments must be a positive multiple of 100")
    data.DOCUMENTS = assignments // 100
    data.DIRECTIVES = data.DOCUMENTS * data.DIRECTIVES_PER_DOCUMENT
    data.ASSIGNMENTS = data.DIRECTIVES * data.UNITS_PER_DIRECTIVE
    data.META_TABLE = META_TABLE


def floor_sql(group_by: str, unit_ids: list[int] | None) -> str:
    key, join, name = GROUPS[group_by]
    scope = "" if unit_ids is None else f"AND a.unit_id IN ({','.join(map(str, unit_ids))})"
    return f"""
        SELECT {key} AS key, min({name}) AS label, count(*) AS total,
               count(*) FILTER (WHERE a.status = 'done' AND a.completed_on <= a.due_date),
               count(*) FILTER (WHERE a.status = 'done' AND a.completed_on > a.due_date),
               count(*) FILTER (WHERE a.status IN ('assigned', 'acknowledged', 'in_progress',
                                'reported') AND a.due_date >= %(today)s),
               count(*) FILTER (WHERE a.status IN ('assigned', 'acknowledged', 'in_progress',
                                'reported') AND a.due_date < %(today)s),
               sum(a.extension_count), sum(a.return_count)
        FROM directives_assignment a {join}
        WHERE a.status <> 'cancelled' {scope}
        GROUP BY {key}
    """


def floor_variant(name: str, conn, sql: str, today) -> Variant:
    import orjson

    columns = (
        "key",
        "label",
        "total",
        "done_on_time",
        "done_late",
        "open_on_time",
        "open_overdue",
        "extensions_approved",
        "reports_returned",
    )

    def run() -> int:
        rows = conn.execute(sql, {"today": today}).fetchall()
        items = []
        totals = dict.fromkeys(columns[2:], 0)
        for row in rows:
            item = dict(zip(columns, row, strict=True))
            for column in columns[2:]:
                totals[column] += item[column]
            items.append(item)
        return len(orjson.dumps({"rows": items, "totals": totals}))

    return Variant(name, run, [])


def same_counts(api_rows: list[dict], floor_rows: list[tuple]) -> str | None:
    api = {(r["key"], r["total"], r["done_on_time"], r["open_overdue"]) for r in api_rows}
    floor = {(r[0], r[2], r[3], r[6]) for r in floor_rows}
    return None if api == floor else f"{len(api ^ floor)} groups differ"


def export_figures(*, rows_wanted: int) -> dict[str, dict[str, float]]:
    """Time (s) and tracemalloc peak (MiB) of CSV and XLSX exports of the assignment
    list, cut at `rows_wanted` rows, as the export task builds them."""
    from reports.exports import write_export
    from reports.tables import assignments_table
    from units.models import User

    director = User.objects.get(username="director")
    figures: dict[str, dict[str, float]] = {}
    for fmt in ("csv", "xlsx"):
        result: dict[str, float] = {}
        for traced in (False, True):
            table = assignments_table(user=director, params={})
            table.rows = itertools.islice(table.rows, rows_wanted)
            with tempfile.TemporaryFile() as target:
                if traced:
                    tracemalloc.start()
                started = time.perf_counter()
                written = write_export(table, fmt=fmt, target=target)
                elapsed = time.perf_counter() - started
                if traced:
                    _, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    result["peak_mib"] = peak / 2**20
                else:
                    result["seconds"] = elapsed
                    result["bytes"] = target.tell()
            result["rows"] = written
        print(
            f"  export {fmt}, {rows_wanted:,} rows: {result['seconds']:.1f} s, "
            f"peak {result.get('peak_mib', float('nan')):.1f} MiB",
            flush=True,
        )
        figures[fmt] = result
    return figures


def print_report(*, info, total, variants, counts, exports, elapsed, rounds) -> None:
    print()
    for key, value in info.items():
        print(f"{key:>22}: {value}")
    print(f"{'assignments':>22}: {total:,}")
    print(f"{'timed rounds':>22}: {rounds} (interleaved, {elapsed:.0f} s)")
    print()
    header = f"{'':44} {'median ms':>10} {'p90 ms':>9} {'queries':>8} {'× floor':>8}"
    print(header)
    misses = 0
    for (username, group_by), (api, floor) in variants.items():
        api_median = statistics.median(api.samples)
        floor_median = statistics.median(floor.samples)
        ratio = api_median / floor_median
        misses += ratio > GOAL
        label = f"by {group_by}, {username}"
        print(
            f"{'GET reports/timeliness/ ' + label:44} {api_median:10.1f} {p90(api.samples):9.1f}"
            f" {api.queries:8d} {ratio:8.2f}"
        )
        print(
            f"{'  floor (psycopg + orjson) ' + label:44} {floor_median:10.1f}"
            f" {p90(floor.samples):9.1f} {'-':>8} {'1.00':>8}"
        )
    print()
    print(f"queries per request (director/officer × unit/directive): {counts}")
    print(f"goal: every ratio ≤ {GOAL}: {'PASS' if not misses else f'MISS ({misses})'}")
    print()
    print(f"{'export':28} {'rows':>8} {'seconds':>8} {'MiB out':>8} {'peak MiB':>9}")
    for size, figures in exports.items():
        for fmt, values in figures.items():
            print(
                f"{f'assignment list, {fmt}, {size:,}':28} {values['rows']:8,.0f}"
                f" {values['seconds']:8.1f} {values['bytes'] / 2**20:8.1f}"
                f" {values['peak_mib']:9.1f}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rebuild", action="store_true", help="drop the database and build it")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"timed rounds ({ROUNDS})")
    parser.add_argument(
        "--assignments", type=int, default=ASSIGNMENTS, help=f"rows to build ({ASSIGNMENTS:,})"
    )
    parser.add_argument(
        "--no-exports", action="store_true", help="time the report only, not the exports"
    )
    args = parser.parse_args(argv)
    set_scale(args.assignments)

    os.environ.setdefault("JWT_ACCESS_MINUTES", "240")
    error = common.configure_environment(default_url=DEFAULT_DATABASE_URL, bench="bench/reports.py")
    if not error and args.rebuild:
        error = common.drop_database()
    error = error or common.ensure_database()
    if error:
        print(error, file=sys.stderr)
        return 2

    import django

    django.setup()

    import environ
    import psycopg

    from directives.models import Assignment
    from thads.clock import local_today
    from units.models import User
    from units.selectors import user_scope

    info = common.machine()
    _, error = data.prepare_data(today=local_today())
    if error:
        print(error, file=sys.stderr)
        return 1
    today = local_today()
    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    conn = psycopg.connect(
        dbname=config["NAME"],
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        autocommit=True,
    )
    client = ApiClient(list(USERS))
    variants: dict[tuple[str, str], tuple[Variant, Variant]] = {}
    counts = []
    for username in USERS:
        scope = user_scope(user=User.objects.get(username=username))
        units = None if scope.visible_unit_ids is None else sorted(scope.visible_unit_ids)
        for group_by in GROUPINGS:
            url = f"/api/v1/reports/timeliness/?group_by={group_by}"
            api = client.variant(f"api {group_by} {username}", url, username)
            sql = floor_sql(group_by, units)
            floor = floor_variant(f"floor {group_by} {username}", conn, sql, today)
            mismatch = same_counts(
                client.get(url, username).json()["rows"],
                conn.execute(sql, {"today": today}).fetchall(),
            )
            if mismatch:
                print(f"floor and endpoint disagree ({group_by}, {username}): {mismatch}")
                return 1
            api.queries, api.size = count_queries(api.run)
            counts.append(api.queries)
            variants[username, group_by] = (api, floor)

    started = time.monotonic()
    measure(
        [v for pair in variants.values() for v in pair], rounds=args.rounds, warmup=WARMUP_ROUNDS
    )
    elapsed = time.monotonic() - started
    print(f"timed {args.rounds} rounds in {elapsed:.0f} s; exports ...", flush=True)
    exports = (
        {} if args.no_exports else {size: export_figures(rows_wanted=size) for size in EXPORT_SIZES}
    )
    print_report(
        info=info,
        total=Assignment.objects.count(),
        variants=variants,
        counts=counts,
        exports=exports,
        elapsed=elapsed,
        rounds=args.rounds,
    )
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
