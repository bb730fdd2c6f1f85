"""Two web nodes against one PostgreSQL and Redis: a login and a rate limit hold across both."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from core.models import User
from needs.tests.factories import report

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else "node exited"
        try:
            requests.get(f"http://127.0.0.1:{port}/konto/login/", timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)  # polling for the port, not waiting for a result
    raise AssertionError(f"node on {port} did not start")


@pytest.fixture
def two_nodes():
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "PUBLIC_LOOKUP_RATE": "4/min",
        "AXES_ENABLED": "false",
    }
    ports = [free_port(), free_port()]
    nodes = [
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "mobilny_asystent.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 60
        for port, node in zip(ports, nodes, strict=True):
            wait_until_serving(port, node, deadline)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for node in nodes:
            node.terminate()
            node.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_login_and_a_rate_limit_hold_across_two_nodes(two_nodes):
    from core import ratelimit

    ratelimit.reset()
    a, b = two_nodes
    User.objects.create_user(username="ewa", password="dobre-haslo-2026", is_staff=True)
    problem = report()

    browser = requests.Session()
    browser.get(f"{a}/konto/login/", timeout=10)
    login = browser.post(
        f"{a}/konto/login/",
        data={"username": "ewa", "password": "dobre-haslo-2026", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": f"{a}/konto/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 302 and "sessionid" in browser.cookies
    # The session made on node A is known to node B.
    on_b = browser.get(f"{b}/konto/password_change/", allow_redirects=False, timeout=10)
    assert on_b.status_code == 200
    assert requests.get(f"{b}/konto/password_change/", allow_redirects=False, timeout=10).status_code == 302

    # Four public look-ups a minute per address, counted together on both nodes.
    answers = [requests.get(f"{node}/z/{problem.code}/", timeout=10).status_code for node in (a, b, a, b, a, b)]
    assert answers[:4] == [200, 200, 200, 200] and answers[4:] == [429, 429]
