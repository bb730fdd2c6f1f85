"""Page weights in headless Chromium, the app in production mode (see scripts/pageweight.py).

Fills its own database (``ma_bench_web``, override with BENCH_WEB_DATABASE_URL) with the demo data,
collects the static files as a deployment would, starts gunicorn and opens each page on a phone-sized
browser twice: cold (empty cache) and repeat. Prints KiB per page against the budgets and writes
test-artifacts/bench-web.md. Exits non-zero when a budget is exceeded.

    make bench-web
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
DATABASE_URL = os.environ.get("BENCH_WEB_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ma_bench_web")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("REDIS_URL", "")
os.environ.setdefault("DEMO_PASSWORD", "demo-haslo-123")
import pytest_env_defaults  # noqa: E402,F401 - the same safe defaults as the test suite

os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobilny_asystent.settings")

from scripts.pageweight import BUDGETS, KIB, measure, production_server  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def ensure_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str, static_root: Path) -> str:
    from scripts.pageweight import production_env

    env = production_env(database_url=DATABASE_URL, static_root=static_root)
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def problem_code(static_root: Path) -> str:
    code = manage(
        "shell",
        "-c",
        "from needs.models import Problem; print(Problem.objects.order_by('pk').values_list('code', flat=True)[0])",
        static_root=static_root,
    )
    return code.strip()


def main() -> int:
    from playwright.sync_api import sync_playwright

    ensure_database()
    password = os.environ["DEMO_PASSWORD"]
    with tempfile.TemporaryDirectory(prefix="ma-static-") as tmp:
        static_root = Path(tmp)
        manage("migrate", "--noinput", static_root=static_root)
        manage("seed_demo", static_root=static_root)
        manage("collectstatic", "--noinput", "--verbosity=0", static_root=static_root)
        code = problem_code(static_root)
        pages = [
            ("duty page (assistant)", "/dyzur/", ("asystent", password), "duty"),
            ("report status /z/<code>/", f"/z/{code}/", None, "public"),
            ("report look-up /z/", "/z/", None, "public"),
            ("club schedule /klub/", "/klub/", None, "public"),
            ("accessibility /dostepnosc/", "/dostepnosc/", None, "public"),
            ("services /uslugi/", "/uslugi/", None, "public"),
            ("services for a need /uslugi/limited_money/", "/uslugi/limited_money/", None, "public"),
            ("club staff home", "/klub/zespol/", ("klub", password), None),
            ("coordinator overview", "/koordynator/", ("koordynator", password), None),
        ]
        rows, failures = [], []
        with production_server(database_url=DATABASE_URL, static_root=static_root) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            for label, path, user, budget in pages:
                cold, repeat = measure(browser, base, path, user=user)
                limit = ""
                if budget == "duty":
                    limit = f"≤ {BUDGETS['duty_cold'] // KIB} / ≤ {BUDGETS['duty_repeat'] // KIB}"
                    if cold.total > BUDGETS["duty_cold"] or repeat.total > BUDGETS["duty_repeat"]:
                        failures.append(label)
                elif budget == "public":
                    limit = f"≤ {BUDGETS['public_cold'] // KIB}"
                    if cold.total > BUDGETS["public_cold"]:
                        failures.append(label)
                rows.append((label, cold.kib(), repeat.kib(), len(cold.requests), limit))
            browser.close()
    lines = [
        "| page | cold KiB | repeat KiB | requests (cold) | budget KiB |",
        "|---|---:|---:|---:|---|",
        *(f"| {label} | {cold:.1f} | {repeat:.1f} | {n} | {limit} |" for label, cold, repeat, n, limit in rows),
    ]
    report = "\n".join(["# Page weights (production mode, transferred bytes, headless Chromium 390×844)", "", *lines])
    print(report)
    out = BASE_DIR / "test-artifacts" / "bench-web.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report + "\n")
    if failures:
        print("Over budget: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
