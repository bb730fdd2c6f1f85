"""Reminders against the real broker: Redis down, a real worker, and celery beat."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from duty.models import ConversationNote, Shift
from duty.tests.factories import ShiftFactory
from mobilny_asystent.celery import app
from needs import services as needs_services
from needs.models import Problem, Referral
from needs.tests.factories import CategoryFactory, InstitutionFactory, report
from reminders import services, tasks
from reminders.models import Kind, Notification, Reminder

BASE_DIR = Path(settings.BASE_DIR)
CLOSED_PORT = "redis://127.0.0.1:1/0"


def _reset_broker_pools() -> None:
    # Celery caches the pools built from the broker URL it first saw, and the result backend;
    # kombu keeps one pool per URL, so dropping the references is enough (closing would break
    # the next test's pool).
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextmanager
def redis_at(url: str) -> Iterator[None]:
    """Broker and result backend both at ``url``: Redis down is both of them gone."""
    old = app.conf.broker_url, app.conf.result_backend
    app.conf.broker_url = app.conf.result_backend = url
    _reset_broker_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.result_backend = old
        _reset_broker_pools()


def overdue_referral(coordinator, days_late=2):
    problem = report()
    referral = needs_services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - timedelta(days=days_late))
    return referral


@pytest.mark.django_db(transaction=True)
def test_it_saves_a_note_quickly_with_redis_down_and_delivers_it_on_the_next_sweep(
    assistant_client, assistant, coordinator, caplog
):
    category = CategoryFactory.create()
    shift = ShiftFactory.create(assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now())
    body = {
        "client_uuid": str(uuid.uuid4()),
        "shift": shift.pk,
        "text": "Pani z parteru chce porozmawiać o zajęciach dla wnuków",
        "stage": "first_contact",
        "wants_follow_up": True,
    }
    with redis_at(CLOSED_PORT):
        started = time.monotonic()
        response = assistant_client.post("/api/v1/notes/", body, content_type="application/json")
        note_seconds = time.monotonic() - started
        started = time.monotonic()
        problem, _created = needs_services.problem_report(
            category=category, description="Zepsuta huśtawka", by=assistant, place=shift.place
        )
        problem_seconds = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert ConversationNote.objects.filter(wants_follow_up=True).count() == 1
    assert Problem.objects.filter(pk=problem.pk).exists()
    assert note_seconds < 3 and problem_seconds < 3  # bounded broker retries, no hang
    refused = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Could not enqueue")]
    assert [m.split("(")[0] for m in refused] == [
        "Could not enqueue reminders.follow_up",
        "Could not enqueue reminders.new_problem",
    ]
    (BASE_DIR / "test-artifacts").mkdir(exist_ok=True)
    (BASE_DIR / "test-artifacts" / "redis-down-timing.txt").write_text(
        f"note POST {note_seconds * 1000:.0f} ms, problem report {problem_seconds * 1000:.0f} ms\n"
    )
    # Nothing reached the worker, so nobody was told yet ...
    assert not Notification.objects.filter(reminder__kind=Kind.FOLLOW_UP).exists()
    # ... and the first sweep after Redis is back delivers it from the database.
    mail.outbox.clear()
    services.reminders_sweep()
    follow_up = Notification.objects.get(reminder__kind=Kind.FOLLOW_UP)
    assert follow_up.recipient == coordinator and follow_up.emailed_at is not None
    assert Notification.objects.filter(reminder__object_key=f"problem:{problem.pk}", recipient=coordinator).exists()
    assert any("Prośba o dalszy kontakt" in m.subject for m in mail.outbox)


@pytest.fixture
def worker_mail_dir(tmp_path, monkeypatch) -> Path:
    """E-mail sent by the worker process lands in files here; stale queued tasks are dropped."""
    # django-environ drops one leading slash of the path, hence four.
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{tmp_path}")
    app.control.purge()
    return tmp_path


def _mail_files(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.glob("*.log"))


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.celery_worker
def test_it_runs_the_sweep_in_a_real_worker(worker_mail_dir, celery_worker_process, coordinator):
    referral = overdue_referral(coordinator)
    result = tasks.sweep.delay()
    outcome = result.get(timeout=30)
    assert outcome["due"] >= 1 and outcome["emailed"] >= 1
    reminder = Reminder.objects.get(kind=Kind.ANSWER_OVERDUE, object_key=f"referral:{referral.pk}")
    assert reminder.notifications.get().emailed_at is not None  # committed by the worker process
    sent = _mail_files(worker_mail_dir)
    assert "koordynatorka@example.org" in sent and "Brak odpowiedzi" in sent
    assert f"{settings.SITE_URL}/admin/needs/problem/{referral.problem_id}/change/" in sent
    # The task is idempotent: delivered again (acks_late), it sends nothing new.
    again = tasks.sweep.delay().get(timeout=30)
    assert again["created"] == 0 and again["emailed"] == 0


@pytest.mark.celery_worker
def test_it_runs_the_sweep_from_celery_beat(worker_mail_dir, celery_worker_process, coordinator, tmp_path):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    PeriodicTask.objects.all().delete()
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="Przegląd co sekundę (test)", task="reminders.sweep", interval=every_second)
    referral = overdue_referral(coordinator)
    env = {**os.environ, "DATABASE_URL": _db_url()}
    log_path = BASE_DIR / "test-artifacts" / "celery-beat.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "ab") as log:
        beat = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mobilny_asystent",
                "beat",
                "--loglevel=INFO",
                "--max-interval=1",
                f"--schedule={tmp_path / 'beat-schedule'}",
                "--pidfile=",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            started = time.monotonic()
            ran = _wait_for(
                lambda: Reminder.objects.filter(object_key=f"referral:{referral.pk}").exists(),
                seconds=30,
            )
            took = time.monotonic() - started
        finally:
            beat.terminate()
            try:
                beat.wait(timeout=10)
            except subprocess.TimeoutExpired:
                beat.kill()
    assert beat.returncode is not None
    assert ran, "beat did not get the sweep to the worker within 30 s; see test-artifacts/celery-beat.log"
    assert took < 30
    assert "Brak odpowiedzi" in _mail_files(worker_mail_dir)


def _db_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
