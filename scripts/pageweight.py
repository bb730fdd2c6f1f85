"""Page weight as a phone's browser sees it, with the app in production mode.

Production mode: ``DEBUG=false``, static files collected by WhiteNoise's compressed manifest storage
(long-lived, pre-compressed, hashed names), pages gzipped, served by gunicorn. The weight of a page
is the sum of the bytes the browser received for it (headers and compressed bodies: what DevTools
shows as "transferred"), read from Chromium's own network events.

- cold: a first visit with an empty cache (a signed-in user's session cookie already set);
- repeat: the same page opened again in the same browser: only what the cache does not hold.

The service worker is kept out of the measurement (blocked), so both figures are what goes over
the network for the page itself; with it, a repeat visit fetches the same page the same way
(network first) and the static files come from its cache instead of the browser's.

Used by ``make bench-web`` (scripts/bench_web.py) and by the budget tests.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
KIB = 1024

# What the issue asks for, in bytes.
BUDGETS = {"duty_cold": 60 * KIB, "duty_repeat": 10 * KIB, "public_cold": 25 * KIB}


def production_env(*, database_url: str, static_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "page-weight-measurement-key-0123456789-abcdefghijklmnop"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "WHITENOISE_USE_FINDERS": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "AXES_ENABLED": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }


def collect_static(static_root: Path) -> None:
    """What `manage.py collectstatic` does on a deployment: hashed names, .gz next to each file."""
    env = production_env(database_url=os.environ.get("DATABASE_URL", ""), static_root=static_root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def production_server(*, database_url: str, static_root: Path, log: Path | None = None) -> Iterator[str]:
    """gunicorn on a free local port; yields its base URL."""
    port = free_port()
    env = production_env(database_url=database_url, static_root=static_root)
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(  # noqa: S603 - gunicorn from our venv
        [
            sys.executable,
            "-m",
            "gunicorn",
            "mobilny_asystent.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError("gunicorn exited before answering")
            try:
                with urllib.request.urlopen(base + "/healthz/", timeout=2):  # noqa: S310 - a local URL
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 60 s") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log and not isinstance(out, int):
            out.close()


@dataclass
class Load:
    total: int = 0
    requests: list[tuple[str, int]] = field(default_factory=list)

    def kib(self) -> float:
        return self.total / KIB


def _record(page: Any) -> tuple[Any, dict[str, str], Load]:
    cdp = page.context.new_cdp_session(page)
    urls: dict[str, str] = {}
    load = Load()

    def on_request(event: dict[str, Any]) -> None:
        urls[event["requestId"]] = event["request"]["url"]

    def on_finished(event: dict[str, Any]) -> None:
        size = int(event.get("encodedDataLength") or 0)
        load.total += size
        load.requests.append((urls.get(event["requestId"], "?"), size))

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.send("Network.enable")
    return cdp, urls, load


def _visit(page: Any, url: str) -> Load:
    cdp, _, load = _record(page)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    cdp.detach()
    return load


def login(context: Any, base: str, username: str, password: str) -> None:
    """Sign in through the login form without loading the page's assets into the browser cache."""
    html = context.request.get(base + "/konto/login/").text()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the login page")
    response = context.request.post(
        base + "/konto/login/",
        form={"csrfmiddlewaretoken": match.group(1), "username": username, "password": password},
        headers={"Referer": base + "/konto/login/"},
    )
    if "sessionid" not in {c["name"] for c in context.cookies()}:
        raise RuntimeError(f"login as {username} failed ({response.status})")


def new_phone_context(browser: Any) -> Any:
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="pl-PL",
        timezone_id="Europe/Warsaw",
        service_workers="block",
    )


def measure(browser: Any, base: str, path: str, *, user: tuple[str, str] | None = None) -> tuple[Load, Load]:
    """(cold, repeat) loads of one page in a fresh phone browser."""
    context = new_phone_context(browser)
    try:
        if user:
            login(context, base, *user)
        page = context.new_page()
        cold = _visit(page, base + path)
        repeat = _visit(page, base + path)
        return cold, repeat
    finally:
        context.close()
