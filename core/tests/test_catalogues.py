"""The catalogues ship with the app: present after migrate, coordinators' edits survive."""

import io

import pytest
from django.core.management import call_command

from bundles.catalogue import SERVICE_TYPES
from bundles.models import ServiceType
from core.catalogues import load_catalogues
from duty.models import ConversationNote, Touchpoint
from needs.catalogue import NEEDS, PROBLEM_CATEGORIES
from needs.models import Institution, Need, ProblemCategory

pytestmark = pytest.mark.django_db


def codes(model):
    return set(model.objects.values_list("code", flat=True))


def test_it_has_every_catalogue_after_migrate_on_an_empty_database():
    Need.objects.all().delete()
    ProblemCategory.objects.all().delete()
    ServiceType.objects.all().delete()

    call_command("migrate", verbosity=0)

    assert codes(Need) == {code for code, *_ in NEEDS}
    assert len(NEEDS) == 12
    assert codes(ProblemCategory) == {code for code, *_ in PROBLEM_CATEGORIES}
    assert codes(ServiceType) == {code for code, *_ in SERVICE_TYPES}
    assert set(ServiceType.objects.filter(owes_standard=True).values_list("code", flat=True)) == {
        "local_animation",
        "general_advice",
        "business_advice",
        "financial_support",
        "training_specialist_advice",
    }
    kinds = set(Institution.Kind.values)
    for category in ProblemCategory.objects.all():
        assert set(category.institution_kinds) <= kinds
    assert ProblemCategory.objects.get(code="safety").institution_kinds == ["police", "city_guard"]
    assert ProblemCategory.objects.get(code="safety").never_public
    # Journey stages and touchpoints are fixed vocabularies in code, with stable codes.
    assert ConversationNote.Stage.values == ["discovery", "first_contact", "using", "sharing"]
    assert "coffee" in Touchpoint.values
    # Nothing of the demo comes with the catalogues.
    assert not Institution.objects.exists()


def test_it_keeps_a_coordinators_edits_when_loaded_again():
    need = Need.objects.get(code="curiosity")
    need.name, need.active = "Ciekawość świata", False
    need.save()
    category = ProblemCategory.objects.get(code="lighting")
    category.institution_kinds, category.never_public = ["city_office", "greenery"], True
    category.save()
    ServiceType.objects.filter(code="housing").update(name="Mieszkalnictwo")
    ProblemCategory.objects.create(code="noise", name="Hałas")
    before = (Need.objects.count(), ProblemCategory.objects.count(), ServiceType.objects.count())

    call_command("migrate", verbosity=0)
    out = io.StringIO()
    call_command("load_catalogues", stdout=out)

    assert "needs: 0 created" in out.getvalue()
    assert load_catalogues() == {"needs": 0, "problem categories": 0, "service types": 0}
    assert (Need.objects.count(), ProblemCategory.objects.count(), ServiceType.objects.count()) == before
    need.refresh_from_db()
    assert (need.name, need.active) == ("Ciekawość świata", False)
    category.refresh_from_db()
    assert (category.institution_kinds, category.never_public) == (["city_office", "greenery"], True)
    assert ServiceType.objects.get(code="housing").name == "Mieszkalnictwo"


def test_a_category_suggests_the_partners_of_its_usual_kinds():
    police = Institution.objects.create(name="Komisariat", kind=Institution.Kind.POLICE)
    Institution.objects.create(name="ZBM", kind=Institution.Kind.HOUSING)
    Institution.objects.create(name="Straż (nieczynna)", kind=Institution.Kind.CITY_GUARD, active=False)

    assert list(ProblemCategory.objects.get(code="safety").usual_institutions()) == [police]
