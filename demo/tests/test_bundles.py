"""The bundles part of the demo: realistic partners and services, complete and incomplete bundles."""

import pytest

from bundles import selectors
from bundles.models import Bundle, Service
from core.pii import find_pii
from demo import bundles as demo
from demo import needs as needs_demo
from needs.models import Institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    needs_demo.seed_institutions()
    demo.seed()


def test_the_demo_has_the_partners_the_neighbourhood_works_with(seeded):
    kinds = list(Institution.objects.filter(services__isnull=False).distinct().values_list("kind", flat=True))
    assert sorted(kinds) == sorted(["owes", "welfare", "housing", "ngo", "ngo", "social_enterprise"])
    # The partners the problems were already forwarded to are the same rows, not copies.
    assert Institution.objects.filter(name="Miejski Ośrodek Pomocy Społecznej").count() == 1
    assert Institution.objects.get(name="Zarząd Budynków Miejskich").address


def test_the_demo_shows_complete_and_incomplete_bundles_and_says_why(seeded):
    bundles = {b.name: b.completeness() for b in Bundle.objects.with_counts()}
    assert sum(c.complete for c in bundles.values()) == 2
    (incomplete,) = [c for c in bundles.values() if not c.complete]
    assert incomplete.why_not
    needs = {n.code: selectors.completeness_of(n).complete for n in selectors.needs_with_counts()}
    assert needs["limited_money"] and not needs["being_heard"]


def test_the_demo_has_public_and_internal_services_without_personal_data(seeded):
    assert Service.objects.public().count() >= 8
    assert Service.objects.filter(public=False).exists()
    texts = Service.objects.values_list("name", "description", "who_may_use", "how_to_get")
    assert not [t for row in texts for t in row if t and find_pii(t)]
    assert not [b.name for b in Bundle.objects.all() if any(find_pii(text) for _f, _l, text in b.canvas() if text)]


def test_the_demo_can_run_again_without_duplicates(seeded):
    counts = (Institution.objects.count(), Service.objects.count(), Bundle.objects.count())
    demo.seed()
    assert (Institution.objects.count(), Service.objects.count(), Bundle.objects.count()) == counts
