"""Shared fixtures: the personas, a real Celery worker, and a phone-sized real browser."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from core.models import User
from core.roles import ASSISTANT, CLUB, COORDINATOR

BASE_DIR = Path(__file__).resolve().parent
ARTIFACTS = BASE_DIR / "test-artifacts"
PASSWORD = "haslo-testowe-123"


def make_user(username: str, role: str | None, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username.title(), **extra)
    if role:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    return user


@pytest.fixture(autouse=True)
def _polish_by_default() -> Iterator[None]:
    """Each test starts in Polish: a request in English leaves English active in the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Public look-up limits count per address in Redis: every test starts with none used."""
    from core import ratelimit

    ratelimit.reset()


@pytest.fixture(autouse=True)
def _fresh_schedule_version() -> None:
    """The iCal feed is cached per schedule version in Redis: every test starts from a new version;
    the duty screen's most used needs are counted afresh too."""
    from django.core.cache import cache

    from club import feedcache

    feedcache.forget()
    from duty.forms import NoteForm

    cache.delete(f"duty:needs:most-used:{NoteForm.MOST_USED_DAYS}")


@pytest.fixture(autouse=True)
def _fresh_insight_version() -> None:
    """The coordinator's figures are cached per data version in Redis: every test starts anew."""
    from insight import dataversion

    dataversion.forget()


@pytest.fixture
def assistant(db: None) -> User:
    return make_user("asystentka", ASSISTANT)


@pytest.fixture
def assistant2(db: None) -> User:
    return make_user("asystent_drugi", ASSISTANT)


@pytest.fixture
def coordinator(db: None) -> User:
    return make_user("koordynatorka", COORDINATOR, is_staff=True)


@pytest.fixture
def club_staff(db: None) -> User:
    return make_user("klubowa", CLUB)


@pytest.fixture
def no_role_user(db: None) -> User:
    return make_user("bezroli", None)


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def assistant_client(assistant: User) -> Client:
    return _client_for(assistant)


@pytest.fixture
def assistant2_client(assistant2: User) -> Client:
    return _client_for(assistant2)


@pytest.fixture
def coordinator_client(coordinator: User) -> Client:
    return _client_for(coordinator)


@pytest.fixture
def club_client(club_staff: User) -> Client:
    return _client_for(club_staff)


@pytest.fixture
def anon_client() -> Client:
    return Client()


# --- A real Celery worker -------------------------------------------------------------------


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """A worker in its own process, on the real Redis broker, reading the test database.

    Rows the test wants the worker to see must be committed, hence ``transactional_db``.
    """
    from mobilny_asystent.celery import app

    env = {**os.environ, "DATABASE_URL": _test_database_url(), "CELERY_TASK_ALWAYS_EAGER": "false"}
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "celery-worker.log", "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mobilny_asystent",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("Celery worker exited; see test-artifacts/celery-worker.log")
            if app.control.ping(timeout=0.5):
                break
        else:
            raise RuntimeError("Celery worker did not answer within 30 s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# --- A phone-sized real browser ---------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PhonePage:
    """A page in a fresh phone-sized context that records console errors and failed requests."""

    def __init__(self, browser: Any, base_url: str, *, bypass_csp: bool = False) -> None:
        self.base_url = base_url
        # bypass_csp only for tests that hand Playwright a JavaScript function to run in the page
        # (it rebuilds it with eval); the app's own scripts run under the real policy elsewhere.
        self.context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="pl-PL",
            timezone_id="Europe/Warsaw",
            bypass_csp=bypass_csp,
        )
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.external_requests: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        self.page.on("request", self._on_request)

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def _on_request(self, request: Any) -> None:
        url = request.url
        if not (url.startswith((self.base_url, "data:", "blob:", "about:", "chrome"))):
            self.external_requests.append(url)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.goto("/konto/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def screenshot(self, name: str) -> Path:
        path = ARTIFACTS / "screenshots" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def has_horizontal_scroll(self) -> bool:
        return bool(self.page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[PhonePage]:
    phone = PhonePage(browser, live_server.url)
    yield phone
    phone.context.close()


@pytest.fixture
def phone_factory(browser: Any, live_server: Any) -> Iterator[Callable[[], PhonePage]]:
    """More than one phone in one test (e.g. an assistant and an anonymous resident)."""
    made: list[PhonePage] = []

    def make(bypass_csp: bool = False) -> PhonePage:
        made.append(PhonePage(browser, live_server.url, bypass_csp=bypass_csp))
        return made[-1]

    yield make
    for phone in made:
        phone.context.close()


# --- The app in production mode (gunicorn, compressed static files) ---------------------------


@pytest.fixture(scope="session")
def production_static_root(tmp_path_factory: Any) -> Path:
    """Static files collected as a deployment collects them (hashed names, compressed copies)."""
    from scripts.pageweight import collect_static

    root = tmp_path_factory.mktemp("staticfiles")
    collect_static(root)
    return root


@pytest.fixture
def production_server(transactional_db: None, production_static_root: Path) -> Iterator[str]:
    """gunicorn with DEBUG off on the test database; yields its base URL. Rows must be committed."""
    from scripts.pageweight import production_server as serve

    ARTIFACTS.mkdir(exist_ok=True)
    with serve(
        database_url=_test_database_url(),
        static_root=production_static_root,
        log=ARTIFACTS / "production-server.log",
    ) as base:
        yield base
