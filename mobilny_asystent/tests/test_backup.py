"""make backup / make restore round-trip: a dump restored into a fresh database serves the data."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from needs import services
from needs.tests.factories import CategoryFactory

BASE_DIR = Path(settings.BASE_DIR)
MAKE = shutil.which("make") or "make"


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_and_the_app_serves_it(tmp_path):
    problem, _created = services.problem_report(
        category=CategoryFactory.create(), description="Nie świeci lampa przy Kolejowej", by=None
    )
    services.problem_set_public_summary(problem=problem, text="Nie świeci lampa", by=None)
    source = connection.settings_dict["NAME"]
    fresh = f"restored_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": database_url(source)}
    backup = subprocess.run(  # noqa: S603
        [MAKE, "--no-print-directory", "backup", f"BACKUP_DIR={tmp_path}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.exists() and dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env["DATABASE_URL"] = database_url(fresh)
        subprocess.run(  # noqa: S603
            [MAKE, "--no-print-directory", "restore", f"FILE={dump}"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        served = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.test import Client; "
                f"r = Client().get('/open311/v2/requests/{problem.code}.json'); "
                "print(r.status_code, r.json()[0]['description'])",
            ],
            cwd=BASE_DIR,
            env={**env, "DEBUG": "true", "ALLOWED_HOSTS": "testserver"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert served.stdout.strip().splitlines()[-1] == "200 Nie świeci lampa"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
