import re
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import User

BASE_DIR = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "staticfiles", "node_modules", "test-artifacts", ".git"}


def project_files(pattern: str) -> list[Path]:
    return [p for p in BASE_DIR.rglob(pattern) if not SKIP_DIRS.intersection(p.relative_to(BASE_DIR).parts)]


def test_every_polish_message_is_translated():
    catalogues = project_files("locale/pl/LC_MESSAGES/*.po")
    assert catalogues, "no Polish catalogue found"
    missing = []
    for path in catalogues:
        po = polib.pofile(str(path))
        missing += [f"{path.relative_to(BASE_DIR)}: {e.msgid!r}" for e in po.untranslated_entries()]
        missing += [f"{path.relative_to(BASE_DIR)}: {e.msgid!r} (fuzzy)" for e in po.fuzzy_entries()]
        mo = path.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run make messages"
        compiled = {e.msgid: e.msgstr for e in polib.mofile(str(mo))}
        stale = [e.msgid for e in po.translated_entries() if not e.msgid_plural and compiled.get(e.msgid) != e.msgstr]
        assert not stale, f"{mo} is older than its .po (run make messages): {stale[:5]}"
    assert not missing, "\n".join(missing)


EXTERNAL = re.compile(r"""(?:src|href|action|url\()\s*=?\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def test_no_template_loads_anything_from_outside_the_app():
    offenders = []
    for path in project_files("*.html"):
        if "static/vendor" in str(path):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if EXTERNAL.search(line):
                offenders.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_stylesheets_load_nothing_from_outside():
    offenders = [
        str(p)
        for p in project_files("*.css")
        if re.search(r"@import\s+url\(\s*['\"]?https?:|url\(\s*['\"]?https?:", p.read_text())
    ]
    assert not offenders


@pytest.mark.django_db
def test_the_api_docs_and_the_admin_load_nothing_from_outside(coordinator_client):
    for url in (reverse("api-docs"), reverse("admin:index"), reverse("admin:needs_problem_changelist")):
        page = coordinator_client.get(url)
        assert page.status_code == 200, url
        assert not EXTERNAL.search(page.content.decode()), url
    favicon = coordinator_client.get("/favicon.ico")
    assert favicon.status_code == 302 and favicon["Location"].endswith(".png")


@pytest.mark.django_db
def test_the_manifest_lets_a_phone_install_the_app(client):
    response = client.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["display"] == "standalone"
    assert data["start_url"] == reverse("home")
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        path = BASE_DIR / "static" / icon["src"].removeprefix("/static/")
        assert path.read_bytes().startswith(b"\x89PNG"), icon["src"]


@pytest.mark.django_db
def test_the_shell_has_the_phone_essentials(assistant_client):
    html = assistant_client.get(reverse("duty:home")).content.decode()
    assert 'name="viewport"' in html
    assert "css/ma.min.css" in html
    assert 'rel="manifest"' in html
    assert 'name="language"' in html  # the language switch
    assert "skip-link" in html


@pytest.mark.django_db
def test_the_language_switch_changes_the_language(client):
    assert "Zaloguj się" in client.get(reverse("login"), headers={"accept-language": "en-US,en"}).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = {model: model.objects.count() for model in _seeded_models()}
    call_command("seed_demo")
    assert {model: model.objects.count() for model in _seeded_models()} == counts
    assert set(User.objects.values_list("username", flat=True)) >= {
        "asystent",
        "asystent2",
        "koordynator",
        "klub",
        "admin",
    }
    assert User.objects.get(username="asystent").check_password("demo-haslo-123")


def _seeded_models() -> list:
    from django.apps import apps

    labels = ("core", "duty", "needs", "club", "reminders")
    return [m for m in apps.get_models() if m._meta.app_label in labels and not m.__name__.startswith("Historical")]
