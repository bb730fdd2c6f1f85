"""Headers on every response, idle sign-out, lockout across addresses, per-user write limits."""

import time

import pytest
from django.test import Client, override_settings

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/dostepnosc/", "/open311/v2/services.json", "/konto/login/", "/nie-ma-takiej/"])
def test_every_response_carries_a_permissions_policy(anon_client, url):
    response = anon_client.get(url)
    assert "camera=()" in response["Permissions-Policy"] and "microphone=()" in response["Permissions-Policy"]


def test_public_pages_may_be_cached(anon_client):
    assert "no-store" not in anon_client.get("/dostepnosc/").get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/dyzur/", "/api/v1/notes/", "/admin/duty/conversationnote/", "/problemy/"])
def test_pages_and_api_with_internal_text_are_never_stored(coordinator_client, url):
    response = coordinator_client.get(url)
    assert response.status_code in (200, 302)
    assert response["Cache-Control"] == "private, no-store"


def test_an_idle_session_is_signed_out(assistant_client):
    assert assistant_client.get("/dyzur/").status_code == 200
    session = assistant_client.session
    session["_last_seen"] = int(time.time()) - 8 * 3600 - 60
    session.save()
    response = assistant_client.get("/dyzur/")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


@override_settings(SESSION_IDLE_TIMEOUT=3600)
def test_an_active_session_stays(assistant_client):
    session = assistant_client.session
    session["_last_seen"] = int(time.time()) - 3000
    session.save()
    assert assistant_client.get("/dyzur/").status_code == 200
    assert assistant_client.session["_last_seen"] >= int(time.time()) - 5


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, AXES_USERNAME_FAILURE_LIMIT=5)
def test_guesses_spread_over_many_addresses_lock_the_user_name(assistant):
    login = "/konto/login/"
    for i in range(5):
        Client(REMOTE_ADDR=f"10.0.0.{i + 1}").post(login, {"username": assistant.username, "password": "zle"})
    fresh = Client(REMOTE_ADDR="10.0.0.99")
    response = fresh.post(login, {"username": assistant.username, "password": PASSWORD})
    assert response.status_code != 302  # the right password, from an address never seen before: refused
    assert "_auth_user_id" not in fresh.session


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, AXES_USERNAME_FAILURE_LIMIT=5)
def test_a_few_typos_elsewhere_do_not_lock_the_account(assistant):
    login = "/konto/login/"
    for i in range(2):
        Client(REMOTE_ADDR=f"10.0.1.{i + 1}").post(login, {"username": assistant.username, "password": "zle"})
    client = Client(REMOTE_ADDR="10.0.1.99")
    response = client.post(login, {"username": assistant.username, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
