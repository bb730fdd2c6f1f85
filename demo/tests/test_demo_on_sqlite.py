"""`make run` serves the demo from SQLite: its migrate and seed_demo must work there, not only on PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def run_manage(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(BASE_DIR)),
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "DEMO_PASSWORD": "demo-haslo-123",
    }
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )


COUNT = (
    "from duty.models import ConversationNote; from reminders.models import Reminder; "
    "print(ConversationNote.objects.count(), Reminder.objects.count())"
)


def counts(database: Path) -> tuple[int, int]:
    result = run_manage("shell", "-c", COUNT, database=database)
    assert result.returncode == 0, result.stderr
    notes, reminders = (int(n) for n in result.stdout.strip().splitlines()[-1].split())
    return notes, reminders


def test_the_demo_is_built_on_sqlite_and_a_second_run_adds_nothing(tmp_path):
    database = tmp_path / "demo.sqlite3"
    migrated = run_manage("migrate", "--noinput", database=database)
    assert migrated.returncode == 0, migrated.stderr
    seeded = run_manage("seed_demo", "--if-empty", database=database)
    assert seeded.returncode == 0, seeded.stderr
    notes, reminders = counts(database)
    assert notes > 0 and reminders > 0
    again = run_manage("seed_demo", "--if-empty", database=database)
    assert again.returncode == 0, again.stderr
    assert counts(database) == (notes, reminders)
