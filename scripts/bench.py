"""Benchmark: server-side time and query count of the busiest pages and API lists on PostgreSQL.

Fills a separate database (``ma_bench`` by default, override with BENCH_DATABASE_URL) with a
year-like volume of data once, then requests each page in-process through Django's test client:
no network, so the figures are the app's own time (ORM, templates, serialisation).

    make bench                      # or: .venv/bin/python scripts/bench.py --runs 30

Results are printed and written to test-artifacts/bench.md.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ma_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
import pytest_env_defaults  # noqa: E402,F401 - the same safe defaults as the test suite

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobilny_asystent.settings")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("django.request").setLevel(logging.ERROR)

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

VOLUME = {"places": 40, "shifts": 3000, "notes": 30000, "problems": 5000, "sessions": 4000}


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def fill() -> None:
    """A year of a busy service, made with bulk inserts (only if the database is empty)."""
    from club.models import Activity, Room, Session
    from duty.models import ConversationNote, Place, Shift
    from needs.models import Need, Problem, ProblemCategory, ProblemEvent, Referral

    call_command("seed_demo", verbosity=0)
    if Shift.objects.count() >= VOLUME["shifts"]:
        return
    from core.models import User

    assistant = User.objects.get(username="asystent")
    now = timezone.now()
    places = [
        Place(name=f"Bench place {i}", kind=Place.Kind.COURTYARD, district="Bench") for i in range(VOLUME["places"])
    ]
    places = Place.objects.bulk_create(places)
    shifts = []
    for i in range(VOLUME["shifts"]):
        start = now - timedelta(hours=3 * i)
        shifts.append(
            Shift(
                place=places[i % len(places)],
                planned_start=start,
                planned_end=start + timedelta(hours=2),
                status=Shift.Status.ENDED,
                started_at=start,
                ended_at=start + timedelta(hours=2),
                coffee=i % 30,
                adults=i % 12,
                children=i % 9,
                first_time=i % 4,
                returning=i % 5,
            )
        )
    shifts = Shift.objects.bulk_create(shifts)
    Shift.assistants.through.objects.bulk_create(
        [Shift.assistants.through(shift_id=s.pk, user_id=assistant.pk) for s in shifts]
    )
    stages = [s for s, _ in ConversationNote.Stage.choices]
    notes = []
    for i in range(VOLUME["notes"]):
        shift = shifts[i % len(shifts)]
        notes.append(
            ConversationNote(
                client_uuid=uuid.uuid4(),
                shift=shift,
                place_id=shift.place_id,
                date=shift.planned_start.date(),
                stage=stages[i % len(stages)],
                text="Rozmowa o remoncie klatki schodowej i o zajęciach dla dzieci.",
            )
        )
    notes = ConversationNote.objects.bulk_create(notes, batch_size=2000)
    needs = list(Need.objects.all())
    ConversationNote.needs.through.objects.bulk_create(
        [
            ConversationNote.needs.through(conversationnote_id=n.pk, need_id=needs[i % len(needs)].pk)
            for i, n in enumerate(notes)
        ],
        batch_size=5000,
    )
    categories = list(ProblemCategory.objects.all())
    problems = Problem.objects.bulk_create(
        [
            Problem(
                code=f"B{i:06d}",
                category=categories[i % len(categories)],
                place=places[i % len(places)],
                description="Nie świeci lampa przy wejściu do familoka.",
                reported_at=now - timedelta(hours=7 * i),
                status=Problem.Status.FORWARDED,
            )
            for i in range(VOLUME["problems"])
        ],
        batch_size=2000,
    )
    from needs.models import Institution

    institution = Institution.objects.first()
    Referral.objects.bulk_create(
        [
            Referral(
                problem=p,
                institution=institution,
                sent_on=p.reported_at.date(),
                due_on=p.reported_at.date() + timedelta(days=14),
            )
            for p in problems
        ],
        batch_size=2000,
    )
    ProblemEvent.objects.bulk_create(
        [
            ProblemEvent(
                problem=p, kind=ProblemEvent.Kind.REPORTED, at=p.reported_at, public_text="Zgłoszenie przyjęte."
            )
            for p in problems
        ],
        batch_size=2000,
    )
    room, _ = Room.objects.get_or_create(name="Sala benchmarku")
    activity = Activity.objects.create(
        title="Zajęcia benchmarku", room=room, starts_on=now.date(), start_time="10:00", end_time="11:00"
    )
    Session.objects.bulk_create(
        [
            Session(
                activity=activity,
                room=room,
                starts_at=now - timedelta(days=300) + timedelta(hours=2 * i),
                ends_at=now - timedelta(days=300) + timedelta(hours=2 * i, minutes=90),
            )
            for i in range(VOLUME["sessions"])
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client: Client, url: str, runs: int) -> tuple[int, float, float, int]:
    response = client.get(url)
    status = response.status_code
    timings = []
    queries = 0
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
        queries = len(ctx)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return status, statistics.median(timings), p95, queries


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    fill()
    fill_s = time.perf_counter() - t0

    from core.models import User
    from duty.models import Shift
    from needs.models import Problem

    coordinator = User.objects.get(username="koordynator")
    assistant = User.objects.get(username="asystent")
    shift = Shift.objects.filter(assistants=assistant).order_by("-planned_start").first()
    problem = Problem.objects.order_by("-reported_at").first()
    clients = {"coordinator": Client(), "assistant": Client(), "anonymous": Client()}
    clients["coordinator"].force_login(coordinator)
    clients["assistant"].force_login(assistant)
    cases = [
        ("assistant", "/dyzur/"),
        ("assistant", "/dyzur/dyzury/"),
        ("assistant", f"/api/v1/notes/?shift={shift.pk if shift else 0}"),
        ("assistant", "/api/v1/shifts/"),
        ("assistant", "/problemy/"),
        ("coordinator", "/koordynator/"),
        ("coordinator", "/dyzur/tydzien/"),
        ("coordinator", "/api/v1/problems/"),
        ("coordinator", "/admin/needs/problem/"),
        ("coordinator", "/admin/duty/conversationnote/"),
        ("coordinator", "/admin/duty/shift/"),
        ("coordinator", "/admin/club/session/"),
        ("anonymous", f"/z/{problem.code if problem else 'XXXXXXX'}/"),
        ("anonymous", "/open311/v2/requests.json"),
        ("anonymous", "/klub/"),
        ("anonymous", "/klub/kalendarz.ics"),
    ]
    lines = [
        f"# Benchmark ({datetime.now(tz=timezone.get_current_timezone()):%Y-%m-%d %H:%M}, PostgreSQL, {args.runs} runs each)",
        "",
        f"Data: {VOLUME} (filled in {fill_s:.1f} s when empty)",
        "",
        "| who | URL | status | median ms | p95 ms | queries |",
        "|---|---|---|---|---|---|",
    ]
    for who, url in cases:
        status, median, p95, queries = measure(clients[who], url, args.runs)
        lines.append(f"| {who} | `{url}` | {status} | {median:.1f} | {p95:.1f} | {queries} |")

    from core.pii import validate_no_pii

    text = (
        "Starsza sąsiadka z parteru mówi, że od 3 tygodni nie świeci lampa, a dzieci (ma 11 lat) "
        "boją się wracać o 17:30. Kawa kosztowała 12,50 zł. "
    ) * 12
    text = text[:2000]
    t0 = time.perf_counter()
    for _ in range(200):
        validate_no_pii(text)
    lines += ["", f"PII guard on a 2,000-character note: {(time.perf_counter() - t0) / 200 * 1000:.2f} ms per scan"]

    report = "\n".join(lines)
    out = BASE_DIR / "test-artifacts" / "bench.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report + "\n")
    sys.stdout.write(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
