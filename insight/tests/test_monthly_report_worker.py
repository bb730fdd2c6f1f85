"""The monthly funder e-mail through a real Celery worker and two real beats: sent once a month."""

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings

from insight import services
from insight.models import ReportRecipient, ReportSend
from insight.tasks import send_monthly_report
from mobilny_asystent.celery import app

BASE_DIR = Path(settings.BASE_DIR)
WORKER_LOG = BASE_DIR / "test-artifacts" / "celery-worker.log"
TASK_DONE = re.compile(rb"Task insight\.send_monthly_report\[[^\]]+\] succeeded")

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def worker_mail_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Mail sent by the worker process lands in files here (the only stand-in: no SMTP server)."""
    folder = tmp_path / "mail"
    folder.mkdir()
    # django-environ drops one leading slash of the path, hence four.
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{folder}")
    app.control.purge()
    return folder


def _messages(folder: Path) -> list[str]:
    text = "".join(p.read_text(errors="replace") for p in sorted(folder.glob("*.log")))
    return [part for part in text.split("-" * 79) if "Subject:" in part]


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _db_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _beat(schedule: Path, log_path: Path, stack: ExitStack) -> subprocess.Popen[bytes]:
    log = stack.enter_context(open(log_path, "ab"))  # noqa: SIM115 - closed by the stack
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mobilny_asystent",
            "beat",
            "--loglevel=INFO",
            "--max-interval=1",
            f"--schedule={schedule}",
            "--pidfile=",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": _db_url()},
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()

    stack.callback(stop)
    return proc


@pytest.fixture
def two_beats(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two beat processes reading the same schedule from the database, as after a double deploy."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    # The migration's row runs on the 1st at 6:00; here the same task runs every second.
    PeriodicTask.objects.all().delete()
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="Raport dla fundatorów co sekundę (test)", task="insight.send_monthly_report", interval=every_second
    )
    log_path = BASE_DIR / "test-artifacts" / "celery-beat.log"
    log_path.parent.mkdir(exist_ok=True)
    with ExitStack() as stack:
        yield [_beat(tmp_path / f"beat-{n}", log_path, stack) for n in (1, 2)]


def test_two_beats_and_a_redelivery_send_last_months_report_once(worker_mail_dir, celery_worker_process, two_beats):
    ReportRecipient.objects.create(email="fundacja@example.org")
    ReportRecipient.objects.create(email="urzad@example.org", active=False)
    start = WORKER_LOG.stat().st_size if WORKER_LOG.exists() else 0

    def runs() -> int:
        with open(WORKER_LOG, "rb") as log:
            log.seek(start)
            return len(TASK_DONE.findall(log.read()))

    # Both beats keep sending the task; the worker runs it again and again ...
    assert _wait_for(lambda: runs() >= 6, seconds=60), "the beats did not get 6 runs to the worker in 60 s"
    # ... and a late redelivery of the task (acks_late) comes on top.
    before = runs()
    send_monthly_report.delay()
    assert _wait_for(lambda: runs() > before, seconds=30)
    for beat in two_beats:
        assert beat.poll() is None, "a beat stopped; see test-artifacts/celery-beat.log"

    month = services.last_month()
    claim = ReportSend.objects.get()
    assert claim.month == month.first and claim.sent_at is not None and claim.recipients == 1
    messages = _messages(worker_mail_dir)
    assert len(messages) == 1
    assert "To: fundacja@example.org" in messages[0] and "urzad@example.org" not in messages[0]
    assert f"mobilny-asystent-raport-{month.first:%Y-%m-%d}" in messages[0]
