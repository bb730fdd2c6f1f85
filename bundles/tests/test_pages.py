import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bundles import selectors
from bundles.models import Bundle
from bundles.tests.factories import BundleFactory, PartnerFactory, ServiceFactory, ServiceTypeFactory
from duty.tests.factories import NeedFactory, NoteFactory, PlaceFactory, ShiftFactory

pytestmark = pytest.mark.django_db

INTERNAL = "TAJNE-wewnętrzne-ustalenia"


@pytest.fixture
def money(db):
    return NeedFactory.create(code="limited_money", name="Ograniczone środki")


def test_it_shows_residents_only_public_services_of_active_partners(anon_client, assistant_client, money):
    ServiceFactory.create(needs=[money], name="Porada w sprawie długów", how_to_get="Wtorki 10–12, bez zapisów")
    ServiceFactory.create(needs=[money], name=f"Szybka ścieżka {INTERNAL}", public=False, how_to_get=INTERNAL)
    ServiceFactory.create(
        needs=[money], name=f"Usługa partnera nieaktywnego {INTERNAL}", partner=PartnerFactory.create(active=False)
    )
    ServiceFactory.create(needs=[money], name=f"Wycofana {INTERNAL}", active=False)
    ServiceFactory.create(
        needs=[money], name=f"Wygasła {INTERNAL}", valid_until=timezone.localdate() - timedelta(days=1)
    )
    shown = ServiceFactory.create(
        needs=[money],
        name="Obiad za 10 zł",
        partner=PartnerFactory.create(
            contact=INTERNAL, email="tajne-skierowania@mops.example.org", phone="32 999 88 77"
        ),
    )
    BundleFactory.create(
        name=f"Wiązka {INTERNAL}", needs=[money], services=[shown], **dict.fromkeys(Bundle.CANVAS, INTERNAL)
    )
    index = anon_client.get("/uslugi/")
    page = anon_client.get(reverse("bundles:public_need", args=["limited_money"]))
    card = assistant_client.get(reverse("bundles:card", args=["limited_money"]))
    assert (index.status_code, page.status_code, card.status_code) == (200, 200, 200)
    for r in (index, page, card):
        html = r.content.decode()
        assert INTERNAL not in html
        assert "tajne-skierowania" not in html and "32 999 88 77" not in html
    assert "Obiad za 10 zł" in page.content.decode() and "Obiad za 10 zł" in card.content.decode()
    assert "Ograniczone środki" in index.content.decode()
    assert "Porada w sprawie długów" in page.content.decode()
    assert "Wtorki 10–12, bez zapisów" in page.content.decode()


def test_it_hides_a_need_with_internal_services_only_from_residents(anon_client, money):
    ServiceFactory.create(needs=[money], public=False)
    assert "Ograniczone środki" not in anon_client.get("/uslugi/").content.decode()
    assert anon_client.get(reverse("bundles:public_need", args=["limited_money"])).status_code == 404


def test_it_keeps_public_pages_to_the_same_queries_for_1_and_50(anon_client, money, django_assert_max_num_queries):
    ServiceFactory.create(needs=[money])
    url = reverse("bundles:public_need", args=["limited_money"])
    with django_assert_max_num_queries(8) as one:
        anon_client.get(url)
        anon_client.get("/uslugi/")
    for _ in range(49):
        ServiceFactory.create(needs=[money, NeedFactory.create()])
    with django_assert_max_num_queries(len(one.captured_queries)):
        anon_client.get(url)
        anon_client.get("/uslugi/")


def test_it_prints_an_a6_card_with_a_scalable_qr_code_to_the_needs_page(assistant_client, money, settings):
    settings.SITE_URL = "https://ma.example.org"
    ServiceFactory.create(needs=[money], name="Porada w sprawie długów")
    r = assistant_client.get(reverse("bundles:card", args=["limited_money"]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "viewBox" in html and "<svg" in html
    assert "https://ma.example.org/uslugi/limited_money/" in html
    assert "Porada w sprawie długów" in html


def test_it_prints_cards_only_for_staff(anon_client, money):
    ServiceFactory.create(needs=[money])
    r = anon_client.get(reverse("bundles:card", args=["limited_money"]))
    assert r.status_code == 302


def _notes(need, place, n, days_ago=1):
    for _ in range(n):
        shift = ShiftFactory.create(place=place)
        note = NoteFactory.create(shift=shift, date=timezone.localdate() - timedelta(days=days_ago))
        note.needs.set([need])


def test_it_puts_needs_heard_often_with_incomplete_bundles_first():
    courtyard, bench = PlaceFactory.create(name="Podwórko"), PlaceFactory.create(name="Ławka")
    often_complete = NeedFactory.create(code="often_complete")
    often_incomplete = NeedFactory.create(code="often_incomplete")
    rarely_incomplete = NeedFactory.create(code="rarely_incomplete")
    a, b = PartnerFactory.create(), PartnerFactory.create()
    t1, t2 = ServiceTypeFactory.create(code="t1"), ServiceTypeFactory.create(code="t2")
    full = [ServiceFactory.create(partner=a, type=t1), ServiceFactory.create(partner=b, type=t2)]
    full.append(ServiceFactory.create(partner=b, type=t1))
    BundleFactory.create(needs=[often_complete], services=full)
    BundleFactory.create(needs=[often_incomplete], services=full[:2])
    _notes(often_complete, courtyard, 9)
    _notes(often_incomplete, courtyard, 6)
    _notes(often_incomplete, bench, 2)
    _notes(rarely_incomplete, bench, 1)
    _notes(rarely_incomplete, bench, 30, days_ago=91)  # too old to count
    rows = [
        r
        for r in selectors.diagnosis()
        if r.need.code in {n.code for n in (often_complete, often_incomplete, rarely_incomplete)}
    ]
    assert [r.need.code for r in rows] == ["often_incomplete", "rarely_incomplete", "often_complete"]
    assert [r.heard for r in rows] == [8, 1, 9]
    # Small cells are "<5"; core.smallnumbers may hide a neighbour so the small one cannot be worked out.
    assert [str(r.heard_cell) for r in rows][1:] == ["<5", "9"]
    assert rows[0].heard_cell.shown in (8, None)
    assert {p.name: str(p.count) for p in rows[0].by_place}["Ławka"] == "<5"


def test_it_shows_the_diagnosis_to_coordinators_with_small_counts_hidden(coordinator_client, assistant_client):
    need = NeedFactory.create(code="limited_money", name="Ograniczone środki")
    _notes(need, PlaceFactory.create(name="Ławka przy kapliczce"), 3)
    assert assistant_client.get(reverse("bundles:diagnosis")).status_code == 403
    r = coordinator_client.get(reverse("bundles:diagnosis"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Ograniczone środki" in html and "&lt;5" in html
    assert ">3<" not in html


def test_it_keeps_the_diagnosis_to_the_same_queries_for_1_and_50_needs(
    coordinator_client, django_assert_max_num_queries
):
    place = PlaceFactory.create()
    _notes(NeedFactory.create(), place, 2)
    with django_assert_max_num_queries(12) as one:
        coordinator_client.get(reverse("bundles:diagnosis"))
    for _ in range(49):
        need = NeedFactory.create()
        _notes(need, place, 1)
        BundleFactory.create(needs=[need], services=[ServiceFactory.create()])
    with django_assert_max_num_queries(len(one.captured_queries)):
        coordinator_client.get(reverse("bundles:diagnosis"))


def test_it_shows_a_bundle_with_its_canvas_and_why_it_is_incomplete(assistant_client):
    need = NeedFactory.create(code="being_heard", name="Rozmowa")
    bundle = BundleFactory.create(
        name="Samotny senior",
        needs=[need],
        services=[ServiceFactory.create(name="Odwiedziny wolontariuszy")],
        customer_segments="Seniorzy z ławki przy kapliczce",
    )
    r = assistant_client.get(reverse("bundles:bundle_detail", args=[bundle.pk]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Seniorzy z ławki przy kapliczce" in html and "Odwiedziny wolontariuszy" in html
    assert "tylko 1 z co najmniej 3 usług" in html
    assert html.count('class="canvas-block') == 9
    assert assistant_client.get(reverse("bundles:bundle_list")).status_code == 200


def test_it_embeds_what_can_help_in_the_duty_screen(assistant_client, assistant):
    need = NeedFactory.create(code="limited_money", name="Ograniczone środki")
    ServiceFactory.create(needs=[need], name="Porada w sprawie długów", public=False)
    ShiftFactory.create(assistants=[assistant])
    r = assistant_client.get(reverse("duty:home"))
    html = r.content.decode()
    assert 'id="what-helps-data"' in html, html
    data = json.loads(html.split('id="what-helps-data" type="application/json">')[1].split("</script>")[0])
    services = data["services"]
    (service,) = [services["services"][str(i)] for i in services["needs"]["limited_money"]]
    assert (service["name"], service["internal"]) == ("Porada w sprawie długów", 1)
    assert services["partners"][str(service["partner"])]["where"] == "ul. Kolejowa 12 · pn.–pt. 8–16"
    assert "data-what-helps" in html


def test_it_shows_how_often_residents_were_told_about_each_bundle_service(assistant_client, assistant):
    from bundles.services import service_told_record

    often, rarely = ServiceFactory.create(name="Porada w sprawie długów"), ServiceFactory.create(name="Obiad za 10 zł")
    bundle = BundleFactory.create(services=[often, rarely])
    shift = ShiftFactory.create(assistants=[assistant])
    for _ in range(6):
        service_told_record(service=often, shift=shift)
    service_told_record(service=often, shift=shift, kind="handoff")
    service_told_record(service=rarely, shift=shift)
    html = assistant_client.get(reverse("bundles:bundle_detail", args=[bundle.pk])).content.decode()
    told = {
        item.split('"')[0]: item.split("data-told>")[1].split("</span>")[0]
        for item in html.split('<li data-service-id="')[1:]
    }
    assert told == {
        str(often.pk): "powiedziano 6, ciepłe przekazanie &lt;5",
        str(rarely.pk): "powiedziano &lt;5, ciepłe przekazanie 0",
    }


def test_it_keeps_the_bundle_pages_to_the_same_queries_for_1_and_50(assistant_client, django_assert_max_num_queries):
    def add():
        return BundleFactory.create(
            needs=[NeedFactory.create()], services=[ServiceFactory.create(), ServiceFactory.create()]
        )

    bundle = add()
    detail = reverse("bundles:bundle_detail", args=[bundle.pk])
    with django_assert_max_num_queries(16) as one:
        assistant_client.get(reverse("bundles:bundle_list"))
        assistant_client.get(detail)
    for _ in range(49):
        add()
    bundle.services.add(*ServiceFactory.create_batch(48))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assistant_client.get(reverse("bundles:bundle_list"))
        r = assistant_client.get(detail)
    assert r.content.decode().count("data-told>") == 50


def test_staff_find_bundles_and_the_cards_to_print_from_the_menu(assistant_client, coordinator_client, money):
    ServiceFactory.create(needs=[money])
    for client in (assistant_client, coordinator_client):
        home = client.get("/", follow=True).content.decode()
        assert f'href="{reverse("bundles:bundle_list")}"' in home
    html = assistant_client.get(reverse("bundles:bundle_list")).content.decode()
    assert f'href="{reverse("bundles:card", args=["limited_money"])}"' in html
    assert f'href="{reverse("bundles:public_need", args=["limited_money"])}"' in html


def test_a_shifts_summary_lists_the_services_residents_heard_about(assistant_client, assistant):
    from bundles.services import service_told_record

    debt, lunch, unheard = (ServiceFactory.create(name=n) for n in ("Porada w sprawie długów", "Obiad", "Świetlica"))
    shift, other = ShiftFactory.create(assistants=[assistant]), ShiftFactory.create(assistants=[assistant])
    for _ in range(2):
        service_told_record(service=debt, shift=shift)
    service_told_record(service=debt, shift=shift, kind="handoff")
    service_told_record(service=lunch, shift=shift)
    service_told_record(service=unheard, shift=other)
    html = assistant_client.get(reverse("duty:shift_detail", args=[shift.pk])).content.decode()
    section = html.split("data-told-on-shift>")[1].split("</ul>")[0]
    assert "Porada w sprawie długów" in section and "powiedziano 2, ciepłe przekazanie 1" in section
    assert section.index("Porada w sprawie długów") < section.index("Obiad")
    assert "Świetlica" not in section
