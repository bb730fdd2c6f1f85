import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils.module_loading import import_string

BASE_DIR = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(BASE_DIR)), **env}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def random_secret() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


def test_it_speaks_polish_in_warsaw_time():
    assert settings.LANGUAGE_CODE == "pl"
    assert [code for code, _ in settings.LANGUAGES] == ["pl", "en"]
    assert settings.TIME_ZONE == "Europe/Warsaw"
    assert settings.USE_TZ is True
    locale = import_string(next(m for m in settings.MIDDLEWARE if "Locale" in m))
    assert issubclass(locale, LocaleMiddleware)
    assert settings.AUTH_USER_MODEL == "core.User"


def test_it_runs_the_suite_on_postgresql_and_redis():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_it_is_reliable_about_tasks():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 2
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 2


def test_it_passes_the_deploy_check_with_only_the_three_variables():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={"DEBUG": "false", "SECRET_KEY": random_secret(), "ALLOWED_HOSTS": "example.org"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_manage("check", env={"DEBUG": "false", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_it_refuses_an_unclear_boolean():
    result = run_manage("check", env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_it_allows_a_proxy_deployment_to_relax_the_ssl_redirect():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER)",
        env={
            "DEBUG": "false",
            "SECRET_KEY": random_secret(),
            "ALLOWED_HOSTS": "example.org",
            "SECURE_SSL_REDIRECT": "false",
            "BEHIND_PROXY": "true",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "False ('HTTP_X_FORWARDED_PROTO', 'https')" in result.stdout


def test_it_defaults_to_sqlite_and_in_process_tasks_for_the_demo():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER)",
        env={"DEBUG": "true"},
    )
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.sqlite3 True" in result.stdout
