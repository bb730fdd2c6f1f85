"""Nothing internal reaches a public surface; never-public categories; coordinates; look-up limits."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
import redis
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from club.tests.factories import make_activity
from core import ratelimit
from duty.tests.factories import NoteFactory, PlaceFactory, ShiftFactory
from needs import services
from needs.models import ProblemCategory, ProblemEvent
from needs.tests.factories import CategoryFactory, report

pytestmark = pytest.mark.django_db

INTERNAL = ["WEWNETRZNY-OPIS", "TAJNA-LOKALIZACJA", "NOTATKA-Z-ROZMOWY", "ZDARZENIE-WEWNETRZNE"]


def _planted(assistant):
    place = PlaceFactory.create(name="Podwórko przy Hutniczej", lat=Decimal("50.290000"), lon=Decimal("18.670000"))
    note = NoteFactory.create(shift=ShiftFactory.create(assistants=[assistant], place=place), text="NOTATKA-Z-ROZMOWY")
    problem = report(
        description="WEWNETRZNY-OPIS lampa nie świeci",
        location="TAJNA-LOKALIZACJA",
        place=place,
        note=note,
        lat=Decimal("50.291234"),
        lon=Decimal("18.671234"),
        by=assistant,
    )
    ProblemEvent.objects.create(problem=problem, kind="comment", internal_text="ZDARZENIE-WEWNETRZNE", public_text="")
    return problem


def _public_pages(client, problem):
    make_activity(title="Szachy", description="Gramy w szachy")
    urls = [
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{problem.code}.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{problem.code}.xml",
        reverse("needs:public_status", args=[problem.code]),
        reverse("club:calendar"),
        reverse("club:poster"),
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        if response.status_code == 404 and url.endswith(".xml"):
            continue  # the XML format is not served by this build
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def test_internal_text_appears_on_no_public_surface(anon_client, assistant, coordinator_client):
    problem = _planted(assistant)
    pages = _public_pages(anon_client, problem)
    pages["card"] = coordinator_client.get(reverse("needs:card", args=[problem.code])).content.decode()
    leaks = [(url, secret) for url, html in pages.items() for secret in INTERNAL if secret in html]
    assert leaks == []
    assert problem.code in pages["/open311/v2/requests.json"]
    assert problem.code in pages["card"]


def test_open311_publishes_the_public_summary_or_only_category_and_place(anon_client, assistant):
    problem = _planted(assistant)
    [item] = anon_client.get("/open311/v2/requests.json").json()
    assert item["description"] == "Oświetlenie · Podwórko przy Hutniczej"
    assert item["address"] == "Podwórko przy Hutniczej"
    services.problem_set_public_summary(problem=problem, text="Nie świeci latarnia na podwórku", by=None)
    [item] = anon_client.get("/open311/v2/requests.json").json()
    assert item["description"] == "Nie świeci latarnia na podwórku"


def test_a_public_summary_passes_the_guard(assistant):
    problem = _planted(assistant)
    with pytest.raises(Exception, match="telefonu"):
        services.problem_set_public_summary(problem=problem, text="Dzwonić 601 234 567", by=None)


def test_coordinates_are_published_at_most_at_the_place_precision(anon_client, assistant):
    _planted(assistant)
    # Over a kilometre from every place, so it is not attached to the nearest one.
    no_place = report(description="Dziura w chodniku", lat=Decimal("50.301234"), lon=Decimal("18.671234"))
    assert no_place.place is None
    items = {i["service_request_id"]: i for i in anon_client.get("/open311/v2/requests.json").json()}
    with_place = next(i for code, i in items.items() if code != no_place.code)
    assert (with_place["lat"], with_place["long"]) == (50.29, 18.67)  # the place's point
    assert (items[no_place.code]["lat"], items[no_place.code]["long"]) == (50.301, 18.671)


def test_a_never_public_category_is_not_in_open311_and_shows_only_its_status(anon_client, assistant):
    welfare = CategoryFactory.create(code="welfare", name="Bezpieczeństwo dziecka", never_public=True)
    place = PlaceFactory.create(name="Klatka przy Kolejowej")
    problem = report(category=welfare, description="Sprawa opiekuńcza", place=place)
    ProblemEvent.objects.create(problem=problem, kind="comment", public_text="Przekazano do MOPS")
    assert anon_client.get("/open311/v2/requests.json").json() == []
    assert anon_client.get(f"/open311/v2/requests/{problem.code}.json").status_code == 404
    page = anon_client.get(reverse("needs:public_status", args=[problem.code])).content.decode()
    assert problem.code in page and "data-public-status" in page
    for secret in ["Bezpieczeństwo dziecka", "Klatka przy Kolejowej", "Przekazano do MOPS", "Sprawa opiekuńcza"]:
        assert secret not in page
    assert ProblemCategory._meta.get_field("never_public").default is False


@override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"public_lookup": "3/min"}})
def test_public_look_ups_share_a_sliding_window_that_does_not_reset_at_the_minute(anon_client):
    start = timezone.now().replace(second=59, microsecond=0).timestamp()
    url = reverse("needs:public_status", args=["ZZZZZZZ"])
    with mock.patch("core.ratelimit.time.time", return_value=start):
        assert [anon_client.get(url).status_code for _ in range(2)] == [404, 404]
        assert anon_client.get("/open311/v2/requests.json").status_code == 200
    with mock.patch("core.ratelimit.time.time", return_value=start + 2):  # the next minute
        response = anon_client.get("/open311/v2/requests.json")
        assert response.status_code == 429 and response["Retry-After"] == "60"
        assert anon_client.get(url).status_code == 429
    with mock.patch("core.ratelimit.time.time", return_value=start + 61):  # the window slid past
        assert anon_client.get(url).status_code == 404


@override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"public_lookup": "8/min"}})
def test_without_redis_the_limit_is_stricter_not_gone(anon_client):
    url = reverse("needs:public_status", args=["ZZZZZZZ"])
    broken = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    with mock.patch.object(ratelimit, "_CLIENT", broken):
        assert [anon_client.get(url).status_code for _ in range(3)] == [404, 404, 429]  # 8 / 4


def test_the_card_for_residents_shows_the_code_not_the_description(coordinator_client, assistant):
    problem = _planted(assistant)
    html = coordinator_client.get(reverse("needs:card", args=[problem.code])).content.decode()
    assert problem.code in html and "WEWNETRZNY-OPIS" not in html


def test_old_public_events_stay_on_the_status_page(anon_client):
    problem = report()
    ProblemEvent.objects.create(
        problem=problem, kind="comment", public_text="Zgłoszono do MZD", at=timezone.now() - timedelta(days=3)
    )
    assert "Zgłoszono do MZD" in anon_client.get(reverse("needs:public_status", args=[problem.code])).content.decode()
