import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from duty.models import ConversationNote
from duty.tests.factories import NoteFactory, PlaceFactory, ShiftFactory
from needs import services
from needs.models import Problem
from needs.tests.factories import CategoryFactory, InstitutionFactory, report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


def test_the_public_page_shows_status_and_public_news_only(anon_client, coordinator):
    place = PlaceFactory.create(name="Podwórko przy Kolejowej")
    problem = report(place=place)
    services.problem_forward(
        problem=problem,
        institution=InstitutionFactory.create(name="Zarząd Budynków Miejskich"),
        by=coordinator,
        internal_text="TAJNE: dzwonić do kierownika",
    )
    html = anon_client.get(reverse("needs:public_status", args=[problem.code])).content.decode()
    assert "Podwórko przy Kolejowej" in html and "Oświetlenie" in html
    assert "Przekazaliśmy sprawę" in html and "Zarząd Budynków Miejskich" in html
    assert "TAJNE" not in html
    assert coordinator.username not in html and coordinator.first_name not in html


def test_the_public_page_accepts_a_code_typed_in_lower_case(anon_client):
    problem = report()
    response = anon_client.get(reverse("needs:public_status", args=[problem.code.lower()]))
    assert response.status_code == 302 and response.url.endswith(f"/z/{problem.code}/")


def test_an_unknown_code_gets_a_friendly_404(anon_client):
    response = anon_client.get(reverse("needs:public_status", args=["ZZZZZZZ"]))
    assert response.status_code == 404
    assert "Nie możemy znaleźć tego kodu" in response.content.decode()


@override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"public_lookup": "3/min"}})
def test_look_ups_are_rate_limited(anon_client):
    statuses = [anon_client.get(reverse("needs:public_status", args=["ZZZZZZZ"])).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert "Za dużo prób" in anon_client.get(reverse("needs:public_status", args=["ZZZZZZZ"])).content.decode()


@override_settings(
    REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"public_lookup": "2/min"}},
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_it_counts_look_ups_per_resident_behind_the_proxy(anon_client):
    url = reverse("needs:public_status", args=["ZZZZZZZ"])

    def look(forwarded):
        return anon_client.get(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [look("198.51.100.7") for _ in range(3)] == [404, 404, 429]
    assert look("203.0.113.9") == 404  # another resident, the same proxy
    assert look("203.0.113.77, 198.51.100.7") == 429  # a made-up first entry does not reset the count


def test_report_from_a_note_prefills_place_and_text(assistant_client, assistant):
    shift = ShiftFactory.create(assistants=[assistant])
    note = NoteFactory.create(shift=shift, text="Przecieka dach nad klatką")
    page = assistant_client.get(reverse("needs:problem_from_note", args=[note.pk]))
    form = page.context["form"]
    assert form.initial["place"] == shift.place_id and form.initial["description"] == "Przecieka dach nad klatką"
    category = CategoryFactory.create(code="housing_repair", name="Remont")
    data = {
        "category": category.pk,
        "place": shift.place_id,
        "description": note.text,
        "client_uuid": str(uuid.uuid4()),
    }
    response = assistant_client.post(reverse("needs:problem_from_note", args=[note.pk]), data)
    problem = Problem.objects.get()
    assert response.url == reverse("needs:problem_detail", args=[problem.code])
    assert problem.note == note and problem.source == "note"


def test_an_assistant_cannot_report_from_someone_elses_note(assistant_client, assistant2):
    note = NoteFactory.create(shift=ShiftFactory.create(assistants=[assistant2]))
    assert assistant_client.get(reverse("needs:problem_from_note", args=[note.pk])).status_code == 404


def test_the_report_form_refuses_a_pesel_and_keeps_the_text(assistant_client):
    category = CategoryFactory.create()
    text = "Zgłasza sąsiad PESEL 44051401359, lampa nie świeci"
    response = assistant_client.post(reverse("needs:problem_create"), {"category": category.pk, "description": text})
    html = response.content.decode()
    assert response.status_code == 200 and "PESEL" in html and "lampa nie świeci" in html
    assert not Problem.objects.exists()


def test_who_sees_which_problem(assistant_client, assistant, assistant2_client, coordinator_client, club_client):
    shift = ShiftFactory.create(assistants=[assistant])
    mine = report(place=shift.place)
    elsewhere = report(place=PlaceFactory.create())
    assert assistant_client.get(reverse("needs:problem_detail", args=[mine.code])).status_code == 200
    assert assistant_client.get(reverse("needs:problem_detail", args=[elsewhere.code])).status_code == 404
    assert assistant2_client.get(reverse("needs:problem_detail", args=[mine.code])).status_code == 404
    assert coordinator_client.get(reverse("needs:problem_detail", args=[elsewhere.code])).status_code == 200
    assert club_client.get(reverse("needs:problem_list")).status_code == 403


def test_one_tap_tells_residents_from_the_duty_screen(assistant_client, assistant, coordinator):
    shift = ShiftFactory.create(assistants=[assistant])
    problem = report(place=shift.place)
    services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)
    html = assistant_client.get(reverse("duty:home")).content.decode()
    assert problem.code in html and "Przekazaliśmy sprawę" in html
    response = assistant_client.post(
        reverse("needs:problem_told", args=[problem.code]), {"note": "Dziękowali"}, HTTP_HX_REQUEST="true"
    )
    assert "Zapisano" in response.content.decode()
    problem.refresh_from_db()
    assert problem.untold_since is None
    assert problem.events.last().kind == "feedback_told" and problem.events.last().internal_text == "Dziękowali"
    assert problem.code not in assistant_client.get(reverse("duty:home")).content.decode()


def test_the_card_has_the_code_and_a_qr_code_that_scales(assistant_client, assistant):
    """That the code scans is proven in a browser (test_qr_scan.py); here: the markup lets it scale."""
    shift = ShiftFactory.create(assistants=[assistant])
    problem = report(place=shift.place)
    html = assistant_client.get(reverse("needs:card", args=[problem.code])).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert problem.code in html and "viewBox=" in svg and "<path" in svg
    assert " width=" not in svg.split(">")[0] and " height=" not in svg.split(">")[0]


def test_a_sheet_prints_eight_cards(coordinator_client):
    codes = [report().code for _ in range(8)]
    html = coordinator_client.get(reverse("needs:cards") + "?kody=" + ",".join(codes)).content.decode()
    assert html.count('class="card-cut"') == 8


@pytest.mark.parametrize("rows", [1, 50])
def test_lists_cost_the_same_queries(
    rows, coordinator_client, assistant_client, assistant, coordinator, django_assert_max_num_queries
):
    shift = ShiftFactory.create(assistants=[assistant])
    institution = InstitutionFactory.create()
    for _ in range(rows):
        services.problem_forward(problem=report(place=shift.place), institution=institution, by=coordinator)
    with django_assert_max_num_queries(10):
        assert assistant_client.get(reverse("needs:problem_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert len(assistant_client.get("/api/v1/problems/").json()["results"]) == rows
    with django_assert_max_num_queries(20):
        assert coordinator_client.get("/admin/needs/problem/").status_code == 200
    with django_assert_max_num_queries(6):
        assert len(assistant_client.get("/open311/v2/requests.json").json()) == rows
    with django_assert_max_num_queries(16):
        assert assistant_client.get(reverse("duty:home")).status_code == 200


def test_notes_keep_working_when_a_problem_points_at_them(assistant):
    note = NoteFactory.create(shift=ShiftFactory.create(assistants=[assistant]))
    report(note=note)
    assert ConversationNote.objects.get().problems.count() == 1
