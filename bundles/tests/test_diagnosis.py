"""Demand next to supply: the order of the animator's diagnosis and the counts it may show."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bundles import selectors
from bundles.models import Bundle
from bundles.tests.factories import BundleFactory, PartnerFactory, ServiceFactory, ServiceTypeFactory
from duty import services as duty_services
from duty.tests.factories import NeedFactory, PlaceFactory, ShiftFactory

pytestmark = pytest.mark.django_db


def hear(need, place, n, *, days_ago=1):
    """n notes tagged with the need at the place, saved as the phone saves them."""
    shift = ShiftFactory.create(place=place)
    for _ in range(n):
        duty_services.note_create(
            by=None,
            text="",
            stage="first_contact",
            needs=[need],
            shift=shift,
            date=timezone.localdate() - timedelta(days=days_ago),
        )


def complete_services():
    a, b = PartnerFactory.create(), PartnerFactory.create()
    t1, t2 = ServiceTypeFactory.create(code="t1"), ServiceTypeFactory.create(code="t2")
    return [
        ServiceFactory.create(partner=a, type=t1),
        ServiceFactory.create(partner=b, type=t2),
        ServiceFactory.create(partner=b, type=t1),
    ]


def rows_for(*needs, **kwargs):
    codes = {n.code for n in needs}
    return [r for r in selectors.diagnosis(**kwargs) if r.need.code in codes]


def test_it_does_not_order_small_counts_among_themselves():
    """1 and 4 are both "<5": their order must not tell which is which."""
    place = PlaceFactory.create()
    first = NeedFactory.create(code="a_first", order=1)
    second = NeedFactory.create(code="b_second", order=2)
    hear(first, place, 1)
    hear(second, place, 4)
    rows = rows_for(first, second)
    assert [r.need.code for r in rows] == ["a_first", "b_second"]
    assert [str(r.heard_cell) for r in rows] == ["<5", "<5"]


def test_it_orders_shown_counts_from_the_most_heard_and_puts_unheard_needs_last():
    place = PlaceFactory.create()
    quiet, some, many = (NeedFactory.create(code=c, order=i) for i, c in enumerate(["quiet", "some", "many"]))
    hear(some, place, 6)
    hear(many, place, 12)
    rows = rows_for(quiet, some, many)
    assert [r.need.code for r in rows] == ["many", "some", "quiet"]
    assert [str(r.heard_cell) for r in rows] == ["12", "6", "0"]


def test_it_counts_only_the_last_90_days_and_a_note_once_per_need():
    place = PlaceFactory.create()
    need = NeedFactory.create(code="lonely")
    hear(need, place, 5, days_ago=89)
    hear(need, place, 7, days_ago=90)
    (row,) = rows_for(need)
    assert row.heard == 5


def test_it_takes_a_needs_supply_from_all_its_active_bundles_together():
    """A need answered by its own bundle and by a situation's bundle: the services of both count."""
    need, other = NeedFactory.create(code="money"), NeedFactory.create(code="housing_need")
    services = complete_services()
    BundleFactory.create(needs=[need], services=services[:2])
    BundleFactory.create(name="Samotny senior", needs=[need, other], services=services[1:])
    dormant = BundleFactory.create(needs=[other], services=services)
    Bundle.objects.filter(pk=dormant.pk).update(active=False)
    supply = {r.need.code: r.completeness for r in rows_for(need, other)}
    money, housing = supply["money"], supply["housing_need"]
    assert (money.complete, money.services, money.types, money.partners) == (True, 3, 2, 2)
    assert (housing.complete, housing.services, housing.partners) == (False, 2, 1)
    assert housing.why_not == "tylko 2 z co najmniej 3 usług; usługi tylko od 1 z co najmniej 2 partnerów"


def test_it_gives_the_hotspot_layer_needs_heard_with_incomplete_bundles_only():
    courtyard = PlaceFactory.create(name="Podwórko")
    heard_complete, heard_incomplete, unheard_incomplete = (
        NeedFactory.create(code=c) for c in ["heard_complete", "heard_incomplete", "unheard_incomplete"]
    )
    BundleFactory.create(needs=[heard_complete], services=complete_services())
    hear(heard_complete, courtyard, 6)
    hear(heard_incomplete, courtyard, 7)
    rows = [
        r
        for r in selectors.needs_heard_with_incomplete_bundles()
        if r.need.code in {"heard_complete", "heard_incomplete", "unheard_incomplete"}
    ]
    assert [r.need.code for r in rows] == ["heard_incomplete"]
    assert [(p.name, str(p.count)) for p in rows[0].by_place] == [("Podwórko", "7")]
    assert rows[0].completeness.why_not


def test_it_counts_a_note_with_two_needs_for_each_of_them():
    place = PlaceFactory.create()
    money, childcare = NeedFactory.create(code="money_n"), NeedFactory.create(code="childcare_n")
    shift = ShiftFactory.create(place=place)
    for _ in range(5):
        duty_services.note_create(by=None, text="", stage="first_contact", needs=[money, childcare], shift=shift)
    assert [(r.need.code, r.heard) for r in rows_for(money, childcare)] == [("childcare_n", 5), ("money_n", 5)]
