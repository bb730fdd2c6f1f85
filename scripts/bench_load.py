"""Load test: gunicorn with 2 workers on 127.0.0.1, 50 simulated users, next to a hello-world view.

Each user loops over the mix of a shift: the duty screen and a note save (signed in as the
assistant), the Residents' Club schedule and a public status page (anonymous). Then the same
users ask the hello-world view in the same gunicorn, so the req/s of the mix sit next to what the
server itself can do on this machine. The users are threads of this process with kept-alive
connections (standard library only); they share the 2 cores with gunicorn and PostgreSQL.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
P95_GOAL_MS = 300.0
CSRF = "benchloadcsrftoken0123456789abcd"  # 32 characters: Django accepts an unmasked token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped before it answered")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/_bench/hello/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer in time")


def _session_cookie(username: str) -> str:
    from django.conf import settings
    from django.test import Client

    from core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; csrftoken={CSRF}"


Request = tuple[str, str, dict[str, str], bytes | None]


def _hammer(port: int, pick: Callable[[int], Request], seconds: float) -> tuple[list[float], int, float]:
    """USERS threads asking as fast as answers come; latencies in ms, errors, elapsed seconds."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(n: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed = 0
        i = n
        while time.monotonic() < stop:
            method, path, headers, body = pick(i)
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)
            errors += failed

    t0 = time.monotonic()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(USERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.monotonic() - t0


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values, default=0.0)


def run(row: Any, *, volume: str, problem_code: str, shift_id: int, need_code: str) -> list[Any]:
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BASE_DIR), str(BASE_DIR / "scripts")]),
        "DEBUG": "false",
        "PUBLIC_LOOKUP_RATE": "1000000/min",  # one address plays fifty residents
    }
    process = subprocess.Popen(  # noqa: S603 - our own server, on 127.0.0.1 only
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "30"]
        + ["--log-level", "warning"]
        + ["mobilny_asystent.wsgi"],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        _wait_for(port, process)
        assistant = {"Cookie": _session_cookie("asystent"), "Host": "127.0.0.1"}
        anonymous = {"Host": "127.0.0.1"}

        def note() -> bytes:
            payload = {
                "client_uuid": str(uuid.uuid4()),
                "shift": shift_id,
                "text": "Rozmowa o remoncie klatki.",
                "stage": "first_contact",
                "needs": [need_code],
            }
            return json.dumps(payload).encode()

        def mix(i: int) -> Request:
            step = i % 4
            if step == 0:
                return "GET", "/dyzur/", assistant, None
            if step == 1:
                headers = {**assistant, "Content-Type": "application/json", "X-CSRFToken": CSRF}
                return "POST", "/api/v1/notes/", headers, note()
            if step == 2:
                return "GET", "/klub/", anonymous, None
            return "GET", f"/z/{problem_code}/", anonymous, None

        def hello(i: int) -> Request:
            return "GET", "/_bench/hello/", anonymous, None

        _hammer(port, mix, 3)  # warm both workers
        latencies, errors, elapsed = _hammer(port, mix, SECONDS)
        hello_latencies, hello_errors, hello_elapsed = _hammer(port, hello, SECONDS / 2)
    finally:
        process.terminate()
        process.wait(timeout=30)
    rps = len(latencies) / elapsed
    hello_rps = len(hello_latencies) / hello_elapsed
    p95 = _p95(latencies)
    return [
        row(
            f"load: {USERS} users, 2 workers, mixed (duty page, note save, /klub/, /z/)",
            p95,
            "hello",
            _p95(hello_latencies),
            f"p95 ≤ {P95_GOAL_MS:g} ms, 0 errors",
            p95 <= P95_GOAL_MS and errors == 0,
            "",
            f"{rps:.0f} req/s (hello-world {hello_rps:.0f} req/s, {hello_errors} errors); "
            f"{len(latencies):,} requests, {errors} errors; median {statistics.median(latencies):.0f} ms",
            rps and hello_rps / rps,
        )
    ]
