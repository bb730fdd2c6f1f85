from datetime import timedelta

import pytest
from django.utils import timezone

from bundles.catalogue import SERVICE_TYPES, load_service_types
from bundles.models import Bundle, Completeness, Service, ServiceType
from bundles.tests.factories import BundleFactory, PartnerFactory, ServiceFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("services", "types", "partners", "complete"),
    [
        (3, 2, 2, True),
        (2, 2, 2, False),
        (3, 1, 2, False),
        (3, 2, 1, False),
        (0, 0, 0, False),
        (7, 4, 5, True),
    ],
)
def test_it_calls_a_bundle_complete_at_three_services_two_types_two_partners(services, types, partners, complete):
    assert Completeness.of(services=services, types=types, partners=partners).complete is complete


def test_it_says_why_a_bundle_is_not_complete():
    c = Completeness.of(services=2, types=1, partners=1)
    assert c.why_not == (
        "tylko 2 z co najmniej 3 usług; usługi tylko 1 z co najmniej 2 typów; usługi tylko od 1 z co najmniej 2 partnerów"
    )


def _bundle(specs):
    """specs: (partner, type code) per service."""
    partners: dict[str, object] = {}
    services = []
    for partner, type_code in specs:
        if partner not in partners:
            partners[partner] = PartnerFactory.create(name=partner)
        services.append(
            ServiceFactory.create(partner=partners[partner], type=ServiceTypeFactory.create(code=type_code))
        )
    return BundleFactory.create(services=services), services


def test_it_counts_three_services_of_two_types_from_two_partners_as_complete():
    bundle, _services = _bundle([("MOPS", "a"), ("MOPS", "a"), ("Fundacja", "b")])
    assert bundle.completeness().complete
    assert Bundle.objects.with_counts().get(pk=bundle.pk).completeness().complete


def test_it_needs_a_second_partner_even_with_many_services():
    bundle, _services = _bundle([("MOPS", "a"), ("MOPS", "b"), ("MOPS", "c"), ("MOPS", "d")])
    c = Bundle.objects.with_counts().get(pk=bundle.pk).completeness()
    assert (c.complete, c.services, c.types, c.partners) == (False, 4, 4, 1)
    assert c.why_not == "usługi tylko od 1 z co najmniej 2 partnerów"


def test_it_needs_a_second_type_even_from_several_partners():
    bundle, _services = _bundle([("MOPS", "a"), ("Fundacja", "a"), ("Spółdzielnia", "a")])
    c = bundle.completeness()
    assert (c.complete, c.types, c.partners) == (False, 1, 3)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda s: Service.objects.filter(pk=s.pk).update(active=False),
        lambda s: type(s.partner).objects.filter(pk=s.partner_id).update(active=False),
        lambda s: Service.objects.filter(pk=s.pk).update(valid_until=timezone.localdate() - timedelta(days=1)),
        lambda s: Service.objects.filter(pk=s.pk).update(valid_from=timezone.localdate() + timedelta(days=1)),
    ],
    ids=["inactive service", "inactive partner", "expired", "not yet valid"],
)
def test_it_counts_only_services_on_offer_today(spoil):
    bundle, services = _bundle([("MOPS", "a"), ("Fundacja", "b"), ("Spółdzielnia", "c")])
    assert bundle.completeness().complete
    spoil(services[2])
    assert not bundle.completeness().complete
    assert not Bundle.objects.with_counts().get(pk=bundle.pk).completeness().complete


def test_it_counts_a_service_valid_until_today():
    bundle, services = _bundle([("MOPS", "a"), ("Fundacja", "b"), ("Spółdzielnia", "c")])
    Service.objects.filter(pk=services[0].pk).update(valid_from=timezone.localdate(), valid_until=timezone.localdate())
    assert bundle.completeness().complete


def test_it_ships_the_service_types_and_never_overwrites_a_coordinators_edit():
    assert set(ServiceType.objects.values_list("code", flat=True)) >= {code for code, *_ in SERVICE_TYPES}
    assert ServiceType.objects.filter(owes_standard=True).count() == 5
    ServiceType.objects.filter(code="debt_advice").update(name="Porady zadłużeniowe", active=False)
    ServiceType.objects.filter(code="work").delete()
    assert load_service_types(ServiceType) == 1  # only the deleted one comes back
    assert ServiceType.objects.get(code="debt_advice").name == "Porady zadłużeniowe"
    assert ServiceType.objects.get(code="debt_advice").active is False
