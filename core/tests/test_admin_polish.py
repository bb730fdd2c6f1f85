"""The admin speaks Polish in third-party apps too (periodic tasks, history, import-export)."""

import pytest
from django.utils import translation

from needs.tests.factories import report

pytestmark = pytest.mark.django_db


def test_third_party_admin_strings_are_polish(coordinator_client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    tasks = coordinator_client.get("/admin/django_celery_beat/periodictask/add/").content.decode()
    assert "Harmonogram interwałowy" in tasks and "Argumenty pozycyjne" in tasks
    problem = report()
    history = coordinator_client.get(f"/admin/needs/problem/{problem.pk}/history/").content.decode()
    assert "Powód zmiany" in history
    with translation.override("pl"):
        assert translation.gettext("Some rows failed to validate") == "Niektóre wiersze nie przeszły sprawdzenia"
        assert translation.gettext("Periodic Tasks") == "Zadania okresowe"
