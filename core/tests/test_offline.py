"""The service worker, the offline page and the manifest, as the server hands them out."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse

from core import offline
from core.offline import SHELL

pytestmark = pytest.mark.django_db


def sw_config(client) -> dict:
    body = client.get("/sw.js").content.decode()
    match = re.search(r"^var CONFIG = (\{.*\});$", body, re.MULTILINE)
    assert match, body[:300]
    return json.loads(match.group(1))


def test_it_serves_the_service_worker_for_the_whole_app(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert 'addEventListener("fetch"' in body
    assert "{{" not in body and "{%" not in body


def test_it_refuses_to_post_to_the_service_worker(client):
    assert client.post("/sw.js").status_code == 405


def test_it_precaches_only_static_files_that_exist_and_the_offline_page(client, settings):
    config = sw_config(client)
    assert config["offline"] == "/offline/"
    assert config["pages"] == ["/dyzur/"]
    assert len(config["shell"]) == len(SHELL)
    for url in config["shell"]:
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url
    assert "/static/js/offline-queue.js" in config["shell"]
    assert "/static/duty/shift.js" in config["shell"]


def test_its_version_changes_when_a_shell_file_changes(client, monkeypatch):
    first = sw_config(client)["version"]
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    monkeypatch.setattr(offline, "SHELL", (*SHELL[:-1],))
    with override_settings(DEBUG=True):  # not the cached value
        assert sw_config(client)["version"] != first


def test_the_offline_page_needs_no_login_and_holds_no_user_data(anon_client, assistant_client, assistant):
    response = anon_client.get(reverse("offline"))
    assert response.status_code == 200
    assert "Brak połączenia" in response.content.decode()
    html = assistant_client.get(reverse("offline")).content.decode()
    assert assistant.username not in html
    assert 'data-user-id=""' in html
    assert "offline-queue.js" not in html


def test_it_gives_logged_in_pages_the_queue_and_its_polish_texts(assistant_client):
    html = assistant_client.get(reverse("duty:home")).content.decode()
    assert "niewysłane: %(count)s" in html
    assert 'id="ma-strings"' in html
    assert "/static/js/offline-queue.js" in html
    assert "/static/js/sw-register.js" in html


@pytest.mark.parametrize("url", ["/klub/", "/z/", "/dostepnosc/"])
def test_it_keeps_the_assistants_scripts_off_pages_for_residents(anon_client, url):
    html = anon_client.get(url).content.decode()
    for script in ("offline-queue.js", "sw-register.js", "htmx", "bootstrap", "shift.js", "<script"):
        assert script not in html, script
    assert "css/public.min.css" in html
    assert 'rel="manifest"' not in html


def test_the_manifest_makes_the_app_installable(anon_client):
    response = anon_client.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["display"] == "standalone"
    assert data["start_url"] == reverse("home")
    assert data["theme_color"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_it_precaches_the_hashed_files_production_serves(client, tmp_path, monkeypatch):
    from django.core.management import call_command

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        monkeypatch.setattr(offline, "_cached_shell_version", offline.lru_cache(maxsize=1)(offline._shell_version))
        call_command("collectstatic", interactive=False, verbosity=0)
        config = sw_config(client)
    for url in config["shell"]:
        name = url.removeprefix("/static/")
        assert re.search(r"\.[0-9a-f]{12}\.", name), name  # versioned: safe to keep until the next version
        assert (tmp_path / name).is_file(), name


def test_the_worker_and_the_offline_page_cost_no_query(assistant_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assistant_client.get("/sw.js")
    with django_assert_num_queries(0):
        assistant_client.get(reverse("offline"))
