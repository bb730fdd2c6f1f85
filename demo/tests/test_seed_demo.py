import io

import pytest
from django.core.management import call_command

from needs.models import Institution, Need, Open311Key

pytestmark = pytest.mark.django_db


def test_it_adds_demo_data_and_prints_a_random_open311_key_once():
    first = io.StringIO()
    call_command("seed_demo", stdout=first)

    [key] = Open311Key.objects.all()
    raw = first.getvalue().split("(shown once): ")[1].split()[0]
    assert len(raw) >= 40 and Open311Key.objects.authenticate(raw) == key
    assert Open311Key.objects.authenticate("demo-open311-key") is None
    assert Institution.objects.filter(name="Straż Miejska", categories__code="safety").exists()

    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert Open311Key.objects.count() == 1 and raw not in again.getvalue()


def test_it_leaves_a_coordinators_catalogue_edits_alone():
    Need.objects.filter(code="curiosity").update(name="Ciekawość świata")

    call_command("seed_demo", stdout=io.StringIO())

    assert Need.objects.get(code="curiosity").name == "Ciekawość świata"
