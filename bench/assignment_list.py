"""The assignment list (`GET /api/v1/assignments/`) at 100,000 assignments, on PostgreSQL.

    make bench                                   # every benchmark
    .venv/bin/python bench/assignment_list.py    # this one
    DATABASE_URL=postgres://user@host:5432/db .venv/bin/python bench/assignment_list.py

What it does:

1. Points Django at `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/thads_bench),
   creates that database when it is missing, migrates it and loads `seed_demo`.
   SQLite is refused: the figures are meant for the production database.
2. Builds the data once, in one transaction, and reuses it on later runs:
   1,000 documents × 10 directives × 10 assignments = 100,000 assignments (each
   directive led by one of the 5 Cục offices, carried out by 9 of the 10 Chi cục),
   mostly done, some open, cancelled or overdue, with a progress or completion
   report as `latest_report` where the status has one.
3. Times, in-process with Django's test `Client` and a JWT bearer token (the
   full middleware, authentication, filter and pagination stack), the first
   page and page 51 (reached by following `next` 50 times) of
   `?page_size=100`, for `director` (sees everything) and `hiephoa.officer`
   (sees the ~9,000 rows of one Chi cục).
4. Times the floor in the same loop: one raw keyset query for the same 100 rows
   and the same fields, turned into dicts and serialised with orjson. The
   ratios are to that floor called as a plain function; the same floor behind
   a minimal Django view is shown too, to show what a view costs by itself.
5. Checks that the query count per request does not change with page_size
   (20, 100, 200).

BENCH_ROUNDS (default 30) sets the number of timed rounds.

The data shape is deliberately ordinary rather than the "100 units per
directive" of a stress test: a Chi cục can hold at most one assignment per
directive (unique directive + unit), so only many directives give the officer
the 51 pages of 100 that the deep-page measurement needs, and a province has
16 units, not 100.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench.common import (  # noqa: E402
    Variant,
    count_queries,
    ensure_database,
    machine,
    measure,
    p90,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/thads_bench"

DOCUMENTS = 1_000
DIRECTIVES_PER_DOCUMENT = 10
SUB_DEPARTMENTS_PER_DIRECTIVE = 9  # of the 10 Chi cục; plus one lead office
ASSIGNMENTS = DOCUMENTS * DIRECTIVES_PER_DOCUMENT * (1 + SUB_DEPARTMENTS_PER_DIRECTIVE)
BENCH_NUMBER_PREFIX = "BENCH/"  # marks the generated documents
BATCH = 2_000

PAGE_SIZE = 100
DEEP_FOLLOWS = 50
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
WARMUP_ROUNDS = 3
PAGE_SIZES = (20, 100, 200)
PAGE_SIZE_ROUNDS = 10

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LIST_URL = "/api/v1/assignments/"


# --- environment and database -------------------------------------------------------


def configure_environment() -> str | None:
    """Set the bench's environment before Django reads it; an error message, or None."""
    return common.configure_environment(
        default_url=DEFAULT_DATABASE_URL, bench="bench/assignment_list.py"
    )


# --- data -----------------------------------------------------------------------------


def bench_assignment_count() -> int:
    from directives.models import Assignment

    return Assignment.objects.filter(
        directive__document__number__startswith=BENCH_NUMBER_PREFIX
    ).count()


def _sentences(text: str) -> list[str]:
    sentences = []
    for paragraph in text.split("\n"):
        for sentence in paragraph.split(". "):
            sentence = sentence.strip().rstrip(".")
            if len(sentence) > 40:
                sentences.append(sentence + ".")
    return sentences


def _local(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)


PAST_DUE_STATUSES = {
    "done": 90,
    "in_progress": 3,
    "reported": 2,
    "acknowledged": 1.5,
    "assigned": 1,
    "cancelled": 2.5,
}
NOT_YET_DUE_STATUSES = {
    "done": 30,
    "in_progress": 38,
    "acknowledged": 14,
    "assigned": 10,
    "reported": 5,
    "cancelled": 3,
}


def _status(rng: random.Random, *, lead: bool, past_due: bool) -> str:
    """Mostly done once the deadline has passed; a mix of open states before it."""
    table = PAST_DUE_STATUSES if past_due else NOT_YET_DUE_STATUSES
    (status,) = rng.choices(list(table), weights=list(table.values()))
    # Cancelling the lead would leave the directive without one: coordinating units only.
    return "in_progress" if status == "cancelled" and lead else status


def _reserve_ids(model, count: int) -> list[int]:
    """Take `count` ids from the table's own sequence, so that rows can point at
    each other before they are inserted."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def build_data(*, today: date) -> dict[str, float]:
    """1,000 documents × 10 directives × 10 assignments, with reports, in one
    transaction; returns the seconds each step took."""
    from django.db import transaction

    from directives.models import (
        Assignment,
        Category,
        Directive,
        DocumentKind,
        ProgressReport,
        SourceDocument,
    )
    from directives.seed import conclusion_text
    from units.models import OrgUnit, UnitKind, User

    rng = random.Random(20220422)
    body = conclusion_text()  # a real conclusion, ~9 KB: the size of a document body
    sentences = _sentences(body)
    director = User.objects.get(username="director")
    officers = {
        "CC-HIEPHOA": User.objects.get(username="hiephoa.officer").pk,
        "CC-YENTHE": User.objects.get(username="yenthe.officer").pk,
    }
    department = OrgUnit.objects.get(code="BG-CUC")
    offices = list(OrgUnit.objects.filter(kind=UnitKind.OFFICE).order_by("code"))
    sub_departments = list(OrgUnit.objects.filter(kind=UnitKind.SUB_DEPARTMENT).order_by("code"))
    categories = list(Category.objects.order_by("position", "code"))
    kinds = [DocumentKind.CONCLUSION, DocumentKind.PLAN, DocumentKind.OFFICIAL_LETTER]
    first_day = date(2022, 1, 4)
    span_days = (today - first_day).days - 30

    timings: dict[str, float] = {}

    @contextmanager
    def step(name):
        started = time.monotonic()
        yield
        timings[name] = timings.get(name, 0.0) + time.monotonic() - started

    with transaction.atomic():
        with step("generate"):
            documents = []
            for i in range(DOCUMENTS):
                document = SourceDocument(
                    kind=kinds[i % len(kinds)],
                    number=f"{BENCH_NUMBER_PREFIX}{i + 1:04d}/KL-CTHADS",
                    title=f"Kết luận giao ban số {i + 1} của Cục trưởng Cục THADS tỉnh Bắc Giang",
                    issued_on=first_day + timedelta(days=span_days * i // DOCUMENTS),
                    issuing_unit=department,
                    signatory="Nguyễn Thị Bích Tần",
                    body=body,
                    created_by=director,
                )
                document.normalize_text()
                documents.append(document)
        with step("insert documents"):
            SourceDocument.objects.bulk_create(documents, batch_size=BATCH)

        with step("generate"):
            directives = []
            for i, document in enumerate(documents):
                for j in range(DIRECTIVES_PER_DOCUMENT):
                    start = rng.randrange(len(sentences))
                    text = " ".join(sentences[start : start + rng.randint(3, 6)])
                    directive = Directive(
                        document=document,
                        label=str(j + 1),
                        position=j + 1,
                        title=text[:200].rsplit(" ", 1)[0],
                        body=text,
                        category=categories[(i * DIRECTIVES_PER_DOCUMENT + j) % len(categories)],
                        default_due_date=document.issued_on + timedelta(days=90),
                    )
                    directive.normalize_text()
                    directives.append(directive)
        with step("insert directives"):
            Directive.objects.bulk_create(directives, batch_size=BATCH)

        with step("generate"):
            assignments = []
            for k, directive in enumerate(directives):
                left_out = k % len(sub_departments)
                units = [offices[k % len(offices)]]
                units += [u for n, u in enumerate(sub_departments) if n != left_out]
                for n, unit in enumerate(units):
                    assignments.append(
                        _assignment(
                            rng,
                            directive,
                            unit,
                            lead=n == 0,
                            issued=directive.document.issued_on,
                            today=today,
                            director_id=director.pk,
                            officer_id=officers.get(unit.code),
                        )
                    )
            # Every assignment with progress has a report, and that report is its
            # latest_report: the two point at each other, so both get their ids
            # first (the foreign keys are checked at commit).
            reported = [a for a in assignments if a.status in {"done", "reported", "in_progress"}]
            for a, pk in zip(assignments, _reserve_ids(Assignment, len(assignments)), strict=True):
                a.pk = pk
            reports = []
            for a, pk in zip(reported, _reserve_ids(ProgressReport, len(reported)), strict=True):
                finished = a.status != "in_progress"
                a.latest_report_id = pk
                reports.append(
                    ProgressReport(
                        pk=pk,
                        assignment_id=a.pk,
                        kind="completion" if finished else "progress",
                        author_id=director.pk,
                        percent=100 if finished else a.progress,
                        note=rng.choice(sentences)[:300],
                        created_at=a.reported_at or a.acknowledged_at + timedelta(days=20),
                    )
                )
        with step("insert assignments"):
            Assignment.objects.bulk_create(assignments, batch_size=BATCH)
        with step("insert reports"):
            ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
        commit_started = time.monotonic()
    timings["commit (foreign key checks)"] = time.monotonic() - commit_started
    return timings


def _assignment(rng, directive, unit, *, lead, issued, today, director_id, officer_id):
    from directives.models import Assignment

    original_due = issued + timedelta(days=rng.choice([30, 60, 90, 120, 180]))
    extended = rng.random() < 0.10
    due = original_due + timedelta(days=30) if extended else original_due
    status = _status(rng, lead=lead, past_due=due < today)
    assigned_at = _local(issued, 8) + timedelta(days=2)
    a = Assignment(
        directive_id=directive.pk,
        unit_id=unit.pk,
        role="lead" if lead else "coordinating",
        status=status,
        original_due_date=original_due,
        due_date=due,
        extension_count=int(extended),
        assigned_by_id=director_id,
        assigned_at=assigned_at,
        version=1 + int(extended),
    )
    if status != "assigned":
        a.acknowledged_by_id = officer_id
        a.acknowledged_at = assigned_at + timedelta(days=rng.randint(0, 3), hours=2)
        a.version += 1
    if status == "in_progress":
        a.progress = rng.choice([10, 20, 30, 40, 50, 60, 70, 80, 90])
        a.version += 1
    if status in {"reported", "done"}:
        on_time = rng.random() < 0.85
        finished = (
            due - timedelta(days=rng.randint(0, 25))
            if on_time
            else due + timedelta(days=rng.randint(1, 30))
        )
        finished = max(finished, a.acknowledged_at.date() + timedelta(days=5))
        if status == "reported":
            finished = min(finished, today)
        a.progress = 100
        a.reported_at = _local(finished, 16)
        a.version += 2
    if status == "done":
        a.completed_at = a.reported_at
        a.completed_on = a.reported_at.date()
        a.version += 1
    if status == "cancelled":
        a.cancelled_at = assigned_at + timedelta(days=rng.randint(5, 40))
        a.version += 1
    return a


# --- the floor ----------------------------------------------------------------------


# The serializer's fields, in its order, and the column each comes from.
FLOOR_COLUMNS = [
    ("id", "a.id"),
    ("directive", "a.directive_id"),
    ("directive_label", "d.label"),
    ("directive_title", "d.title"),
    ("document", "d.document_id"),
    ("unit", "a.unit_id"),
    ("unit_code", "u.code"),
    ("unit_name", "u.name"),
    ("role", "a.role"),
    ("status", "a.status"),
    ("progress", "a.progress"),
    ("due_date", "a.due_date"),
    ("original_due_date", "a.original_due_date"),
    (
        "timeliness",
        """CASE
            WHEN a.status = 'done' AND a.completed_on <= a.due_date THEN 'done_on_time'
            WHEN a.status = 'done' THEN 'done_late'
            WHEN a.status IN ('assigned', 'acknowledged', 'in_progress', 'reported')
                THEN CASE WHEN a.due_date >= %(today)s THEN 'open_on_time' ELSE 'open_overdue' END
        END""",
    ),
    ("version", "a.version"),
    ("extension_count", "a.extension_count"),
    ("return_count", "a.return_count"),
    ("assigned_at", "a.assigned_at"),
    ("acknowledged_by", "a.acknowledged_by_id"),
    ("acknowledged_at", "a.acknowledged_at"),
    ("reported_at", "a.reported_at"),
    ("completed_at", "a.completed_at"),
    ("cancelled_at", "a.cancelled_at"),
    ("latest_report", "r.id"),
    ("updated_at", "a.updated_at"),
]
FLOOR_REPORT_COLUMNS = [
    ("id", "r.id"),
    ("kind", "r.kind"),
    ("percent", "r.percent"),
    ("note", "r.note"),
    ("created_at", "r.created_at"),
]


def floor_sql() -> str:
    from directives.models import Assignment, Directive, ProgressReport
    from units.models import OrgUnit

    columns = ", ".join(column for _, column in FLOOR_COLUMNS + FLOOR_REPORT_COLUMNS)
    return f"""
        SELECT {columns}
        FROM {Assignment._meta.db_table} a
        JOIN {Directive._meta.db_table} d ON d.id = a.directive_id
        JOIN {OrgUnit._meta.db_table} u ON u.id = a.unit_id
        LEFT JOIN {ProgressReport._meta.db_table} r ON r.id = a.latest_report_id
        WHERE a.id < %(before)s
        ORDER BY a.id DESC
        LIMIT %(limit)s
    """


def floor_payload(*, sql: str, before: int, limit: int, today: date, scope) -> bytes:
    """The least work that yields the list page: one query, dicts, orjson."""
    import orjson
    from django.db import connection

    from directives.access import allowed_actions

    names = [name for name, _ in FLOOR_COLUMNS]
    report_names = [name for name, _ in FLOOR_REPORT_COLUMNS]
    split = len(names)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"today": today, "before": before, "limit": limit})
        rows = cursor.fetchall()
    results = []
    for row in rows:
        item = dict(zip(names, row[:split], strict=True))
        if item["latest_report"] is not None:
            item["latest_report"] = dict(zip(report_names, row[split:], strict=True))
        row_view = SimpleNamespace(status=item["status"], unit_id=item["unit"])
        item["allowed_actions"] = allowed_actions(scope=scope, assignment=row_view)
        results.append(item)
    after = f"?before={rows[-1][0]}&page_size={limit}" if len(rows) == limit else None
    return orjson.dumps({"next": after, "previous": None, "results": results})


def prepare_data(*, today: date) -> str | None:
    """Migrate, seed, build the data when missing; an error message, or None."""
    from django.core.management import call_command
    from django.db import connection

    from directives.models import Assignment, Directive, ProgressReport, SourceDocument

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=io.StringIO())
    existing = bench_assignment_count()
    if existing == 0:
        print(f"building {ASSIGNMENTS:,} assignments (once; later runs reuse them) ...", flush=True)
        started = time.monotonic()
        timings = build_data(today=today)
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
        print(f"built in {time.monotonic() - started:.0f} s ({steps})", flush=True)
    elif existing == ASSIGNMENTS:
        print(f"reusing the {existing:,} generated assignments in the database", flush=True)
    else:
        return (
            f"database {connection.settings_dict['NAME']} holds {existing:,} generated "
            f"assignments, this benchmark makes {ASSIGNMENTS:,}: drop it and run again."
        )
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum would have them on a database in service.
        for model in (Assignment, ProgressReport, Directive, SourceDocument):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return None


class ApiClient:
    """Django's test Client with each user's bearer token: the whole stack, in-process."""

    def __init__(self, usernames: list[str]):
        from django.test import Client
        from rest_framework_simplejwt.tokens import AccessToken

        from units.models import User

        self.client = Client()
        # The token the sign-in endpoint would issue, minted directly: the bench
        # should not depend on the login throttle's state or spend time on Argon2.
        self.headers = {}
        for username in usernames:
            token = AccessToken.for_user(User.objects.get(username=username))
            self.headers[username] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, url: str, username: str):
        response = self.client.get(url, **self.headers[username])
        if response.status_code != 200:
            raise RuntimeError(
                f"GET {url} as {username}: {response.status_code} {response.content[:300]!r}"
            )
        return response

    def variant(self, name: str, url: str, username: str) -> Variant:
        return Variant(name, lambda: len(self.get(url, username).content), [])

    def deep_url(self, url: str, username: str, *, follows: int) -> str | None:
        """The page reached by following `next` `follows` times, as a client would."""
        for _ in range(follows):
            url = self.get(url, username).json()["next"]
            if url is None:
                return None
        return url


def floor_variants(*, api: ApiClient, today: date) -> tuple[list[Variant], str | None]:
    """The floor as a function call and behind a minimal view, for the director's
    first page; an error message when it no longer matches the API's page."""
    import orjson
    from django.http import HttpResponse
    from django.test import RequestFactory

    from directives.models import Assignment
    from units.models import User
    from units.selectors import user_scope

    director = User.objects.get(username="director")
    scope = user_scope(user=director)
    sql = floor_sql()
    before = Assignment.objects.order_by("-id").values_list("id", flat=True).first() + 1

    def floor_function() -> int:
        payload = floor_payload(sql=sql, before=before, limit=PAGE_SIZE, today=today, scope=scope)
        return len(payload)

    def floor_view(request):
        # As small as a Django view gets: read the query, run the floor, wrap the bytes.
        limit = int(request.GET.get("page_size", PAGE_SIZE))
        payload = floor_payload(
            sql=sql, before=before, limit=limit, today=today, scope=user_scope(user=request.user)
        )
        return HttpResponse(payload, content_type="application/json")

    factory = RequestFactory()

    def floor_through_view() -> int:
        request = factory.get("/bench/floor/", {"page_size": PAGE_SIZE})
        request.user = director
        return len(floor_view(request).content)

    api_page = api.get(f"{LIST_URL}?page_size={PAGE_SIZE}", "director").json()["results"]
    request = factory.get("/bench/floor/", {"page_size": PAGE_SIZE})
    request.user = director
    floor_page = orjson.loads(floor_view(request).content)["results"]
    same = [r["id"] for r in api_page] == [r["id"] for r in floor_page] and all(
        set(a) == set(f) and (a["latest_report"] is None) == (f["latest_report"] is None)
        for a, f in zip(api_page, floor_page, strict=True)
    )
    error = None if same else "the floor no longer returns the API's rows and fields: fix it"
    return [
        Variant("floor: raw SQL + dicts + orjson, function call", floor_function, []),
        Variant("floor: the same behind a minimal Django view", floor_through_view, []),
    ], error


def print_report(*, info, total, visible, variants, sized, elapsed) -> None:
    floor = statistics.median(variants[0].samples)
    print()
    print(f"## Assignment list, {total:,} assignments (PostgreSQL)")
    print()
    for key, value in info.items():
        print(f"- {key}: {value}")
    print("- rows visible: " + ", ".join(f"{name} {n:,}" for name, n in visible.items()))
    print(
        f"- {ROUNDS} timed rounds after {WARMUP_ROUNDS} warm-up rounds, variants interleaved "
        f"({elapsed:.0f} s); page_size={PAGE_SIZE}; ratios to the floor called as a function"
    )
    print()
    print("| variant | median ms | p90 ms | queries | KB | × floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for v in variants:
        median = statistics.median(v.samples)
        print(
            f"| {v.name} | {median:.1f} | {p90(v.samples):.1f} | {v.queries} | "
            f"{v.size / 1024:.0f} | {median / floor:.1f} |"
        )
    print()
    print(f"First page by page_size ({PAGE_SIZE_ROUNDS} rounds each):")
    print()
    print("| variant | queries | median ms | KB |")
    print("|---|---:|---:|---:|")
    for v in sized:
        median = statistics.median(v.samples)
        print(f"| {v.name} | {v.queries} | {median:.1f} | {v.size / 1024:.0f} |")
    print()
    for username in visible:
        counts = sorted({v.queries for v in sized if f" {username}," in v.name})
        verdict = "constant" if len(counts) == 1 else f"GROWS ({counts})"
        print(f"- {username}: query count {verdict} with page_size")


def main() -> int:
    error = configure_environment() or ensure_database()
    if error:
        print(error, file=sys.stderr)
        return 2

    import django

    django.setup()

    from directives.models import Assignment
    from thads.clock import local_today
    from units.models import User
    from units.selectors import user_scope

    info = machine()  # the load average before the build, not after it
    today = local_today()
    error = prepare_data(today=today)
    if error:
        print(error, file=sys.stderr)
        return 1

    usernames = ["director", "hiephoa.officer"]
    api = ApiClient(usernames)
    first_url = f"{LIST_URL}?page_size={PAGE_SIZE}"
    variants, error = floor_variants(api=api, today=today)
    if error:
        print(error, file=sys.stderr)
        return 1
    visible = {}
    for username in usernames:
        deep_url = api.deep_url(first_url, username, follows=DEEP_FOLLOWS)
        if deep_url is None:
            print(f"{username} sees fewer than {DEEP_FOLLOWS + 1} pages", file=sys.stderr)
            return 1
        variants.append(api.variant(f"API {username}, first page", first_url, username))
        variants.append(api.variant(f"API {username}, page 51 (cursor)", deep_url, username))
        scope = user_scope(user=User.objects.get(username=username))
        visible[username] = Assignment.objects.filter(scope.unit_filter("unit")).count()

    for variant in variants:
        variant.queries, variant.size = count_queries(variant.run)
    started = time.monotonic()
    measure(variants, rounds=ROUNDS, warmup=WARMUP_ROUNDS)
    elapsed = time.monotonic() - started

    sized = [
        api.variant(
            f"API {username}, first page, page_size={size}",
            f"{LIST_URL}?page_size={size}",
            username,
        )
        for username in usernames
        for size in PAGE_SIZES
    ]
    for variant in sized:
        variant.queries, variant.size = count_queries(variant.run)
    measure(sized, rounds=PAGE_SIZE_ROUNDS, warmup=1)

    print_report(
        info=info,
        total=Assignment.objects.count(),
        visible=visible,
        variants=variants,
        sized=sized,
        elapsed=elapsed,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
