"""One problem, many voices: suggestions of the same problem, support (idempotent, concurrent), merge."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import close_old_connections
from django.urls import reverse

from duty.tests.factories import NoteFactory, PlaceFactory, ShiftFactory
from needs import selectors, services
from needs.models import Problem, ProblemSupport
from needs.tests.factories import CategoryFactory, report

pytestmark = pytest.mark.django_db

LAT, LON = Decimal("50.290000"), Decimal("18.670000")


def test_it_suggests_open_problems_of_the_same_category_at_the_same_place():
    place = PlaceFactory.create()
    lamp = report(place=place)
    report(place=PlaceFactory.create())  # elsewhere
    report(place=place, category=CategoryFactory.create(code="waste", name="Śmieci"))  # another category
    settled = report(place=place)
    services.problem_resolve(problem=settled, resolution="on_the_spot", by=None)
    assert selectors.problems_similar(category=lamp.category, place=place) == [lamp]


def test_it_suggests_problems_within_150_metres_of_a_point():
    near = report(lat=LAT + Decimal("0.0009"), lon=LON)  # about 100 m north
    report(lat=LAT + Decimal("0.0020"), lon=LON)  # about 220 m
    assert selectors.problems_similar(category=near.category, lat=LAT, lon=LON) == [near]


def test_a_problem_with_coordinates_but_no_place_belongs_to_the_nearest_place():
    far = PlaceFactory.create(name="Park", lat=LAT + Decimal("0.0100"), lon=LON)
    close = PlaceFactory.create(name="Podwórko", lat=LAT + Decimal("0.0005"), lon=LON)
    problem = report(lat=LAT, lon=LON)
    assert problem.place == close and problem.place != far
    nowhere = report(lat=LAT + Decimal("1"), lon=LON)
    assert nowhere.place is None


def test_support_counts_once_per_client_uuid(assistant):
    problem = report()
    key = uuid.uuid4()
    one, created = services.problem_support(problem=problem, by=assistant, client_uuid=key)
    two, again = services.problem_support(problem=problem, by=assistant, client_uuid=key)
    assert created and not again and one.pk == two.pk == problem.pk
    problem.refresh_from_db()
    assert problem.supporters == 2 and ProblemSupport.objects.count() == 1
    assert problem.events.filter(kind="supported").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_supports_with_one_client_uuid_count_once_and_different_ones_each_count(assistant):
    problem = report()
    same = uuid.uuid4()
    keys = [same, same, same, uuid.uuid4(), uuid.uuid4()]
    barrier = threading.Barrier(len(keys))
    errors: list[BaseException] = []

    def tap(key):
        try:
            barrier.wait(timeout=10)
            services.problem_support(problem=problem, by=assistant, client_uuid=key)
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=tap, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    problem.refresh_from_db()
    assert problem.supporters == 4 and ProblemSupport.objects.count() == 3


def test_merging_moves_the_voices_and_the_public_page_shows_the_original(client, coordinator, assistant):
    first, second = report(), report()
    services.problem_support(problem=second, by=assistant, client_uuid=uuid.uuid4())
    services.problem_merge(problem=second, into=first, by=coordinator)
    first.refresh_from_db()
    assert first.supporters == 3
    services.problem_forward(problem=first, institution=_institution(), by=coordinator)
    page = client.get(f"/z/{second.code}/").content.decode()
    assert "Przekazaliśmy sprawę dalej i czekamy na odpowiedź." in page and first.code in page
    # A voice for the merged code counts on the original.
    services.problem_support(problem=second, by=assistant, client_uuid=uuid.uuid4())
    first.refresh_from_db()
    assert first.supporters == 4
    services.problem_reopen(problem=second, by=coordinator, reason="To jednak inna lampa")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.supporters == 2 and second.supporters == 2 and second.duplicate_of is None


def _institution():
    from needs.tests.factories import InstitutionFactory

    return InstitutionFactory.create()


def test_the_referral_shows_how_many_residents_reported_it(coordinator_client, coordinator, assistant):
    problem = report()
    services.problem_support(problem=problem, by=assistant, client_uuid=uuid.uuid4())
    referral = services.problem_forward(problem=problem, institution=_institution(), by=coordinator)
    page = coordinator_client.get(f"/admin/needs/referral/{referral.pk}/change/").content.decode()
    assert "ieszkańców zgłosiło" in page and ">2<" in page.replace(" ", "")


# --- the API contract ---------------------------------------------------------------------------


def test_api_similar_by_place_and_by_point(assistant_client, assistant, django_assert_max_num_queries):
    shift = ShiftFactory.create(assistants=[assistant], place=PlaceFactory.create(lat=LAT, lon=LON))
    lamp = report(place=shift.place, by=assistant)
    url = "/api/v1/problems/similar/"
    with django_assert_max_num_queries(8):
        r = assistant_client.get(url, {"category": "lighting", "place": shift.place.pk})
    assert r.status_code == 200 and [(p["code"], p["supporters"]) for p in r.json()] == [(lamp.code, 1)]
    r = assistant_client.get(url, {"category": "lighting", "lat": str(LAT + Decimal("0.0005")), "lon": str(LON)})
    assert [p["code"] for p in r.json()] == [lamp.code]


@pytest.mark.parametrize(
    "query", [{}, {"category": "lighting"}, {"category": "nope", "place": 1}, {"category": "lighting", "lat": "x"}]
)
def test_api_similar_refuses_what_it_cannot_parse(assistant_client, query):
    CategoryFactory.create()
    assert assistant_client.get("/api/v1/problems/similar/", query).status_code == 400


def test_api_support_is_idempotent_and_detail_has_supporters(assistant_client, assistant):
    shift = ShiftFactory.create(assistants=[assistant])
    note = NoteFactory.create(shift=shift)
    problem = report(place=shift.place)
    key = str(uuid.uuid4())
    url = f"/api/v1/problems/{problem.code}/support/"
    first = assistant_client.post(url, {"client_uuid": key, "note": note.pk}, content_type="application/json")
    replay = assistant_client.post(url, {"client_uuid": key, "note": note.pk}, content_type="application/json")
    assert (first.status_code, replay.status_code) == (201, 200)
    assert first.json()["supporters"] == replay.json()["supporters"] == 2
    assert assistant_client.get(f"/api/v1/problems/{problem.code}/").json()["supporters"] == 2
    assert ProblemSupport.objects.get().note == note


def test_api_support_needs_a_field_worker_who_may_see_the_problem(client, club_staff, assistant2_client):
    problem = report(place=PlaceFactory.create())
    url = f"/api/v1/problems/{problem.code}/support/"
    body = {"client_uuid": str(uuid.uuid4())}
    assert client.post(url, body, content_type="application/json").status_code in (401, 403)
    assert assistant2_client.post(url, body, content_type="application/json").status_code == 404
    assert Problem.objects.get().supporters == 1


# --- the phone's form ---------------------------------------------------------------------------


def test_a_second_report_at_the_same_place_suggests_the_first_and_adds_a_voice(assistant_client, assistant):
    shift = ShiftFactory.create(assistants=[assistant])
    first = report(place=shift.place, by=assistant)
    note = NoteFactory.create(shift=shift, text="Lampa przy wejściu dalej nie świeci")
    form = {
        "category": first.category.pk,
        "place": shift.place.pk,
        "description": note.text,
        "client_uuid": str(uuid.uuid4()),
    }
    page = assistant_client.post(reverse("needs:problem_from_note", args=[note.pk]), form).content.decode()
    assert "Ktoś już to zgłosił" in page and first.code in page
    assert Problem.objects.count() == 1
    key = str(uuid.uuid4())
    r = assistant_client.post(
        reverse("needs:problem_support", args=[first.code]), {"client_uuid": key, "note": note.pk}
    )
    assert r.status_code == 302 and f"notatka={note.pk}" in r["Location"]
    first.refresh_from_db()
    assert first.supporters == 2
    # "It is a different problem" saves a new one.
    r = assistant_client.post(reverse("needs:problem_from_note", args=[note.pk]), {**form, "new_anyway": "1"})
    assert r.status_code == 302 and Problem.objects.count() == 2


def test_the_admin_shows_who_already_reported_it_before_saving_a_second_problem(coordinator_client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    place = PlaceFactory.create()
    first = report(place=place)
    form = {
        "category": first.category.pk,
        "place": place.pk,
        "description": "Lampa przy wejściu nie świeci",
        "location": "",
        "source": "coordinator",
        "referrals-TOTAL_FORMS": 0,
        "referrals-INITIAL_FORMS": 0,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    page = coordinator_client.post("/admin/needs/problem/add/", form)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ktoś już to zgłosił" in html and first.code in html
    assert Problem.objects.count() == 1
    # Elsewhere it is a new problem; here it becomes one only when the coordinator says so.
    saved = coordinator_client.post("/admin/needs/problem/add/", {**form, "new_anyway": "on"})
    assert saved.status_code == 302 and Problem.objects.count() == 2
