"""Benchmark: every busy page, API list and job as a ratio to a floor measured in the same run.

The machine is shared and noisy, so absolute milliseconds mean little; what is compared is a
page against the cheapest thing the framework can do in its place, measured interleaved with it
(floor, page, floor, page, …) so that both see the same noise:

- phone and public pages      / the shared base template rendered with one query   (goal 3×)
- API lists                   / a bare DRF view returning one query's rows          (goal 2×)
- the note save               / a bare DRF view doing one INSERT                    (goal 2×, ≤ 8 queries)
- iCal and Open311 lists      / the base template with one query                    (goal 10×)
- admin changelists           / the admin index page                                (goal 5×; note search ≤ 200 ms)
- jobs (reminder sweep, imports) have absolute goals (seconds at the volume).

Two volumes, each in its own database, filled once with INSERT … SELECT generate_series and
reused (scripts/bench_fill.py):

    make bench                                # small: about a season of one service
    make bench-large                          # large: 1M notes, 200k problems, 400k referrals …
    .venv/bin/python scripts/bench.py --volume large --runs 10 --load

``--load`` adds the load test: gunicorn with 2 workers on 127.0.0.1 and 50 simulated users
(scripts/bench_load.py), next to a hello-world view in the same gunicorn.

Results are printed and written to test-artifacts/bench-<volume>.md.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "scripts"))

_parser = argparse.ArgumentParser()
_parser.add_argument("--volume", choices=["small", "large"], default=os.environ.get("BENCH_VOLUME", "small"))
_parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "15")))
_parser.add_argument("--load", action="store_true", default=os.environ.get("BENCH_LOAD", "") not in ("", "0"))
_parser.add_argument("--only", default="", help="run only cases whose name contains this")
_parser.add_argument("--skip", default=os.environ.get("BENCH_SKIP", ""), help="skip cases whose name contains this")
ARGS = _parser.parse_args()

os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/ma_bench_{ARGS.volume}"
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
os.environ.setdefault("PUBLIC_LOOKUP_RATE", "1000000/min")  # one address asks /z/ again and again
import pytest_env_defaults  # noqa: E402,F401 - the same safe defaults as the test suite

os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("django.request").setLevel(logging.ERROR)

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

import bench_fill  # noqa: E402


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


@dataclass
class Row:
    name: str
    ms: float
    floor: str
    floor_ms: float | None
    goal: str
    ok: bool
    queries: int | str = ""
    note: str = ""
    ratio: float | None = field(default=None)

    def cells(self) -> list[str]:
        ratio = f"{self.ratio:.1f}×" if self.ratio is not None else "—"
        floor_ms = f"{self.floor_ms:.1f}" if self.floor_ms is not None else "—"
        return [
            self.name,
            f"{self.ms:.1f}",
            self.floor,
            floor_ms,
            ratio,
            self.goal,
            "pass" if self.ok else "FAIL",
            str(self.queries),
            self.note,
        ]


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _timed(fn: Callable[[], object]) -> tuple[float, int, object]:
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        result = fn()
        ms = (time.perf_counter() - t0) * 1000
    statements = [q for q in ctx.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    return ms, len(statements), result


def interleaved(case: Callable[[], object], floor: Callable[[], object], runs: int) -> tuple[float, float, int, object]:
    """Median ms of the case and of its floor, run alternately; the case's query count and last result."""
    case()
    floor()
    case_ms, floor_ms = [], []
    queries, result = 0, None
    for _ in range(runs):
        ms, _q, _r = _timed(floor)
        floor_ms.append(ms)
        ms, queries, result = _timed(case)
        case_ms.append(ms)
    return statistics.median(case_ms), statistics.median(floor_ms), queries, result


def slowest_query_plan(fn: Callable[[], object]) -> str:
    """The slowest query of one request, and whether PostgreSQL reads a big table whole for it."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    if not ctx.captured_queries:
        return ""
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
    sql = slowest["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    big = [
        t
        for t in (
            "duty_conversationnote",
            "duty_shift",
            "needs_problem",
            "needs_referral",
            "club_session",
            "reminders_notification",
        )
        if f"Seq Scan on {t} " in plan or plan.endswith(f"Seq Scan on {t}")
    ]
    text = f"slowest query {float(slowest['time']) * 1000:.0f} ms"
    return text + (f"; seq scan of {', '.join(big)}" if big else "")


def main() -> int:
    ensure_database()
    call_command("migrate", verbosity=0)
    fill_s = None
    if not bench_fill.filled(ARGS.volume):
        t0 = time.perf_counter()
        call_command("seed_demo", verbosity=0)
        bench_fill.fill(ARGS.volume)
        fill_s = time.perf_counter() - t0
    from insight import dataversion

    dataversion.forget()  # the fill writes with plain SQL; cached figures start from this data

    from core.models import User
    from needs.models import Need, Problem

    coordinator = User.objects.get(username="koordynator")
    assistant = User.objects.get(username="asystent")
    busy_shift = bench_fill.busy_shift(assistant)
    from needs.services import normalize_code

    # A code as residents type it (the fill's codes are not all in the normalised alphabet).
    problem = next(p for p in Problem.objects.order_by("pk")[:500] if normalize_code(p.code) == p.code)
    need = Need.objects.order_by("pk").first()
    assert problem is not None and need is not None, "the fill makes problems and seed_demo the needs"  # noqa: S101
    clients = {"coordinator": Client(), "assistant": Client(), "anonymous": Client()}
    clients["coordinator"].force_login(coordinator)
    clients["assistant"].force_login(assistant)
    runs = ARGS.runs
    rows: list[Row] = []

    def get(who: str, url: str) -> Callable[[], object]:
        def call() -> object:
            response = clients[who].get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response

        return call

    def wanted(name: str) -> bool:
        return (not ARGS.only or ARGS.only in name) and not (ARGS.skip and ARGS.skip in name)

    def ratio_row(name: str, case: Callable[[], object], floor_name: str, floor: Callable[[], object], goal: float):
        if not wanted(name):
            return
        ms, floor_ms, queries, result = interleaved(case, floor, runs)
        ratio = ms / floor_ms
        size = len(getattr(result, "content", b"") or b"")
        note = f"{size / 1024:.0f} kB" if size else ""
        rows.append(Row(name, ms, floor_name, floor_ms, f"≤ {goal:g}×", ratio <= goal, queries, note, ratio))
        sys.stderr.write(f"{name}: {ms:.1f} ms, {ratio:.1f}× {floor_name}\n")

    floor_page = get("assistant", "/_bench/floor/page/")
    floor_page_anon = get("anonymous", "/_bench/floor/page/")
    floor_page_coord = get("coordinator", "/_bench/floor/page/")
    floor_list = get("assistant", "/_bench/floor/api-list/")
    floor_list_coord = get("coordinator", "/_bench/floor/api-list/")

    # Phone and public pages: 3× the base template with one query.
    ratio_row("duty page /dyzur/", get("assistant", "/dyzur/"), "page", floor_page, 3)
    ratio_row(
        f"busy shift /dyzur/{busy_shift.pk}/ ({busy_shift.notes.count()} notes)",
        get("assistant", f"/dyzur/{busy_shift.pk}/"),
        "page",
        floor_page,
        3,
    )
    ratio_row("shift list /dyzur/dyzury/", get("assistant", "/dyzur/dyzury/"), "page", floor_page, 3)
    ratio_row("week plan /dyzur/tydzien/", get("coordinator", "/dyzur/tydzien/"), "page", floor_page_coord, 3)
    ratio_row("problems /problemy/", get("assistant", "/problemy/"), "page", floor_page, 3)
    ratio_row("public status /z/<code>/", get("anonymous", f"/z/{problem.code}/"), "page", floor_page_anon, 3)
    ratio_row("club /klub/", get("anonymous", "/klub/"), "page", floor_page_anon, 3)
    ratio_row("notifications /powiadomienia/", get("coordinator", "/powiadomienia/"), "page", floor_page_coord, 3)
    ratio_row("overview /koordynator/ (this month)", get("coordinator", "/koordynator/"), "page", floor_page_coord, 10)
    today = timezone.localdate()
    year = f"od={today.replace(year=today.year - 1) + timedelta(days=1)}&do={today}"
    ratio_row(
        "overview /koordynator/ (12 months)", get("coordinator", f"/koordynator/?{year}"), "page", floor_page_coord, 15
    )
    ratio_row(
        "where next /koordynator/miejsca/", get("coordinator", "/koordynator/miejsca/"), "page", floor_page_coord, 10
    )
    ratio_row(
        "report page /koordynator/raport/ (12 months)",
        get("coordinator", f"/koordynator/raport/?{year}"),
        "page",
        floor_page_coord,
        15,
    )
    ratio_row(
        "report /koordynator/raport.xlsx (12 months)",
        get("coordinator", f"/koordynator/raport.xlsx?{year}"),
        "page",
        floor_page_coord,
        20,
    )
    ratio_row("services /uslugi/", get("anonymous", "/uslugi/"), "page", floor_page_anon, 3)
    ratio_row(
        "services for a need /uslugi/limited_money/",
        get("anonymous", "/uslugi/limited_money/"),
        "page",
        floor_page_anon,
        3,
    )
    ratio_row(
        "diagnosis /wiazki/diagnoza/ (90 days of notes)",
        get("coordinator", "/wiazki/diagnoza/"),
        "page",
        floor_page_coord,
        3,
    )

    # API lists: 2× a bare DRF view with one query.
    ratio_row(
        "API /api/v1/notes/?shift=", get("assistant", f"/api/v1/notes/?shift={busy_shift.pk}"), "api", floor_list, 2
    )
    ratio_row("API /api/v1/shifts/", get("assistant", "/api/v1/shifts/"), "api", floor_list, 2)
    ratio_row("API /api/v1/problems/", get("coordinator", "/api/v1/problems/"), "api", floor_list_coord, 2)
    ratio_row(
        "API /api/v1/services/?need=", get("assistant", "/api/v1/services/?need=limited_money"), "api", floor_list, 2
    )
    ratio_row("API /api/v1/bundles/", get("assistant", "/api/v1/bundles/"), "api", floor_list, 2)

    # Cached public feeds: 10× the base template with one query.
    ratio_row("Open311 requests.json", get("anonymous", "/open311/v2/requests.json"), "page", floor_page_anon, 10)
    ratio_row("iCal /klub/kalendarz.ics", get("anonymous", "/klub/kalendarz.ics"), "page", floor_page_anon, 10)

    # The note save: 2× a bare DRF INSERT, at most 8 queries.
    if wanted("note save"):
        api = clients["assistant"]

        def note_save() -> object:
            response = api.post(
                "/api/v1/notes/",
                {
                    "client_uuid": str(uuid.uuid4()),
                    "shift": busy_shift.pk,
                    "text": "Rozmowa o remoncie klatki schodowej.",
                    "stage": "first_contact",
                    "needs": [need.code],
                },
                content_type="application/json",
            )
            if response.status_code != 201:
                raise SystemExit(f"note save answered {response.status_code}: {response.content[:300]!r}")
            return response

        def floor_insert() -> object:
            return api.post(
                "/_bench/floor/api-insert/",
                {
                    "client_uuid": str(uuid.uuid4()),
                    "shift": busy_shift.pk,
                    "place": busy_shift.place_id,
                    "text": "Rozmowa o remoncie klatki schodowej.",
                },
                content_type="application/json",
            )

        ms, floor_ms, queries, _r = interleaved(note_save, floor_insert, runs)
        ok = ms / floor_ms <= 2 and queries <= 8
        rows.append(
            Row("note save POST /api/v1/notes/", ms, "insert", floor_ms, "≤ 2×, ≤ 8 q", ok, queries, "", ms / floor_ms)
        )

    # Admin changelists: 5× the admin index, each filter; note search ≤ 200 ms.
    admin_index = get("coordinator", "/admin/")
    word = bench_fill.WORDS[17]
    place_id = busy_shift.place_id
    admin_cases = [
        ("notes", "/admin/duty/conversationnote/"),
        ("notes by stage", "/admin/duty/conversationnote/?stage__exact=using"),
        ("notes by need", f"/admin/duty/conversationnote/?needs__id__exact={need.pk}"),
        ("notes by place", f"/admin/duty/conversationnote/?place__id__exact={place_id}"),
        ("notes wanting follow-up", "/admin/duty/conversationnote/?wants_follow_up__exact=1"),
        ("notes by author", f"/admin/duty/conversationnote/?created_by__id__exact={assistant.pk}"),
        ("notes by source", "/admin/duty/conversationnote/?source__exact=contact_box"),
        ("notes past 7 days", "/admin/duty/conversationnote/?date__gte=" + _days_ago(7)),
        ("shifts", "/admin/duty/shift/"),
        ("shifts by status", "/admin/duty/shift/?status__exact=planned"),
        ("shifts by place", f"/admin/duty/shift/?place__id__exact={place_id}"),
        ("shifts search", "/admin/duty/shift/?q=Miejsce+7"),
        ("problems", "/admin/needs/problem/"),
        ("problems by status", "/admin/needs/problem/?status__exact=forwarded"),
        ("problems search by code", f"/admin/needs/problem/?q={problem.code}"),
        ("referrals", "/admin/needs/referral/"),
        ("club sessions", "/admin/club/session/"),
        ("reminders", "/admin/reminders/reminder/"),
    ]
    for label, url in admin_cases:
        name = f"admin {label}"
        if not wanted(name):
            continue
        case = get("coordinator", url)
        try:
            ms, floor_ms, queries, _r = interleaved(case, admin_index, max(5, runs // 2))
        except SystemExit as error:
            rows.append(Row(name, 0, "admin index", None, "≤ 5×", False, "", str(error)))
            continue
        rows.append(
            Row(
                name,
                ms,
                "admin index",
                floor_ms,
                "≤ 5×",
                ms / floor_ms <= 5,
                queries,
                slowest_query_plan(case),
                ms / floor_ms,
            )
        )
        sys.stderr.write(f"{name}: {ms:.1f} ms\n")
    name = f"admin note search “{word}”"
    if wanted(name):
        case = get("coordinator", f"/admin/duty/conversationnote/?q={word}")
        ms, floor_ms, queries, _r = interleaved(case, admin_index, max(5, runs // 2))
        rows.append(
            Row(
                name,
                ms,
                "admin index",
                floor_ms,
                "≤ 200 ms, ≤ 5×",
                ms <= 200 and ms / floor_ms <= 5,
                queries,
                slowest_query_plan(case),
                ms / floor_ms,
            )
        )

    # Jobs: absolute goals, each in a transaction that is rolled back.
    if wanted("sweep"):
        rows += bench_sweep(ARGS.volume)
    if wanted("import 10,000"):
        rows += bench_imports()
    if wanted("pii"):
        rows += bench_pii_guard()
    if ARGS.load:
        import bench_load

        try:
            rows += bench_load.run(
                Row, volume=ARGS.volume, problem_code=problem.code, shift_id=busy_shift.pk, need_code=need.code
            )
        except SystemExit as error:  # the table is still printed, with the load test failed
            rows.append(Row("load test", 0, "hello", None, "p95 ≤ 300 ms, 0 errors", False, "", str(error)))

    head = ["page / job", "ms", "floor", "floor ms", "ratio", "goal", "result", "queries", "notes"]
    counts = bench_fill.counts()
    lines = [
        f"# Benchmark, {ARGS.volume} volume ({datetime.now(tz=timezone.get_current_timezone()):%Y-%m-%d %H:%M}, "
        f"PostgreSQL, median of {runs} interleaved runs)",
        "",
        "Data: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        + (f" (filled now in {fill_s:.0f} s)" if fill_s else " (reused)"),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    passed = sum(r.ok for r in rows)
    lines += ["", f"{passed} of {len(rows)} goals met."]
    report = "\n".join(lines)
    out = BASE_DIR / "test-artifacts" / f"bench-{ARGS.volume}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report + "\n")
    sys.stdout.write(report + "\n")
    return 0


def _days_ago(days: int) -> str:
    from datetime import timedelta

    return (timezone.localdate() - timedelta(days=days)).isoformat()


def bench_sweep(volume: str) -> list[Row]:
    """The reminder sweep from nothing (first run) and again with nothing new, rolled back after."""
    from django.core import mail

    from reminders import services
    from reminders.models import Notification, Reminder

    first_goal, second_goal = 10.0, 1.0
    mail.outbox = []
    with transaction.atomic():
        Notification.objects.all().delete()
        Reminder.objects.all().delete()
        t0 = time.perf_counter()
        first = services.reminders_sweep()
        first_s = time.perf_counter() - t0
        notifications = Notification.objects.count()
        emails = len(mail.outbox)
        t0 = time.perf_counter()
        second = services.reminders_sweep()
        second_s = time.perf_counter() - t0
        transaction.set_rollback(True)
    return [
        Row(
            "reminder sweep, first run",
            first_s * 1000,
            "—",
            None,
            f"≤ {first_goal:g} s",
            first_s <= first_goal,
            "",
            f"{first.due:,} due → {notifications:,} notifications, {emails:,} e-mails",
        ),
        Row(
            "reminder sweep, nothing new",
            second_s * 1000,
            "—",
            None,
            f"≤ {second_goal:g} s",
            second_s <= second_goal and second.created == 0 and second.emailed == 0,
            "",
            f"{second.created} new, {second.emailed} e-mails",
        ),
    ]


def bench_imports() -> list[Row]:
    """10,000 places and 10,000 problems through the admin's import resources, rolled back after."""
    import tablib

    rows = []
    for label, make in (("places", _places_dataset), ("problems", _problems_dataset)):
        dataset: tablib.Dataset
        resource, dataset = make(10_000)
        with transaction.atomic():
            from reminders.models import Notification

            before = Notification.objects.count()
            t0 = time.perf_counter()
            result = resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=False)
            seconds = time.perf_counter() - t0
            made = Notification.objects.count() - before
            errors = result.has_errors() or result.has_validation_errors()
            transaction.set_rollback(True)
        rows.append(
            Row(
                f"import 10,000 {label}",
                seconds * 1000,
                "—",
                None,
                "≤ 5 s",
                seconds <= 5 and not errors,
                "",
                f"{made} notifications" + ("; errors" if errors else ""),
            )
        )
    return rows


def _places_dataset(n: int):
    import tablib

    from duty.resources import PlaceResource

    stamp = uuid.uuid4().hex[:6]
    data = tablib.Dataset(headers=["name", "kind", "district", "lat", "lon", "description", "active"])
    for i in range(n):
        data.append([f"Import {stamp} {i}", "courtyard", "Import", "50.25", "19.02", "Podwórko z ławkami.", "1"])
    return PlaceResource(), data


def _problems_dataset(n: int):
    import tablib

    from duty.models import Place
    from needs.models import ProblemCategory
    from needs.resources import ProblemResource

    resource = ProblemResource()
    fields = [f.column_name for f in resource.get_import_fields()]
    category = ProblemCategory.objects.order_by("pk").first()
    place = Place.objects.order_by("pk").first()
    values = {
        "category": category.code if category else "",
        "place": place.name if place else "",
        "location": "Przy wejściu",
        "description": "Nie świeci lampa przy wejściu do familoka.",
        "source": "coordinator",
        "status": "new",
    }
    data = tablib.Dataset(headers=fields)
    for _i in range(n):
        data.append([values.get(f, "") for f in fields])
    return resource, data


def bench_pii_guard() -> list[Row]:
    """The PII guard on 100,000-character texts: an ordinary long text and hostile ones (linear time)."""
    from core.pii import find_pii

    size, goal_ms = 100_000, 500.0
    texts = {
        "ordinary Polish text": (
            "Starsza sąsiadka z parteru mówi, że od 3 tygodni nie świeci lampa przy ul. Kolejowej 5, a dzieci "
            "(ma 11 lat) boją się wracać o 17:30. Kawa kosztowała 12,50 zł; tel. 601 234 567. "
        ),
        "no spaces": "abcdefghij",
        "a@ repeated": "a@",
        "spaced digits": "1 ",
        "zero-width between digits": "\u200b1",
        "flat addresses": "Kolejowa 5/3 ",
    }
    rows = []
    for name, unit in texts.items():
        text = (unit * (size // len(unit) + 1))[:size]
        timings = []
        for _ in range(5):
            t0 = time.perf_counter()
            found = find_pii(text)
            timings.append((time.perf_counter() - t0) * 1000)
        ms = statistics.median(timings)
        rows.append(
            Row(
                f"PII guard, 100,000 characters: {name}",
                ms,
                "—",
                None,
                f"≤ {goal_ms:g} ms",
                ms <= goal_ms,
                "",
                f"{len(found):,} findings",
            )
        )
    return rows


if __name__ == "__main__":
    sys.exit(main())
