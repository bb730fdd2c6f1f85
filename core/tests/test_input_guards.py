"""Every cause of a 500 found by feeding hostile input, now a 400 (or a 404) with a message.

The app runs with DEBUG=false here (see pytest_env_defaults.py), as in production.
"""

import uuid
from datetime import date, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from club.tests.factories import make_activity
from core.models import ApiToken
from core.query import local_datetime
from duty.models import Shift
from duty.tests.factories import PlaceFactory, ShiftFactory
from needs.tests.factories import CategoryFactory, report

pytestmark = pytest.mark.django_db


def no_500(client: Client, method: str, url: str, **kwargs) -> int:
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code < 500, (method, url, response.status_code)
    assert b"Traceback" not in response.content
    assert b"SECRET_KEY" not in response.content
    return response.status_code


# --- A public code that normalises to nothing --------------------------------------------------


@pytest.mark.parametrize("code", ["-", "--", "%20", "..."])
def test_a_code_of_punctuation_only_is_not_found_not_a_500(anon_client, code):
    response = anon_client.get(f"/z/{code}/")
    assert response.status_code == 404


# --- Dates in query strings -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "2026-02-30", "abc", "1999-12-31"])
def test_week_pages_refuse_dates_they_cannot_show(coordinator_client, club_client, value):
    for client, url in ((coordinator_client, "/dyzur/tydzien/"), (club_client, "/klub/zespol/sale/")):
        response = client.get(url, {"od": value})
        assert response.status_code == 400, url
        assert "Wpisz datę" in response.content.decode()
    assert Client().get("/klub/plakat/", {"tydzien": value}).status_code == 400


def test_week_pages_still_open_on_a_good_date(coordinator_client):
    response = coordinator_client.get("/dyzur/tydzien/", {"od": "2026-03-25"})
    assert response.status_code == 200
    assert response.context["monday"] == date(2026, 3, 23)


def test_the_club_sessions_api_refuses_a_date_it_cannot_read(club_client):
    response = club_client.get("/api/v1/club/sessions/", {"od": "abc"})
    assert response.status_code == 400
    assert "od" in response.json()


@pytest.mark.parametrize("value", ["2026-02-30T10:00:00", "2026-13-01T00:00:00Z", "9999-12-31T23:59:59", "x"])
def test_open311_refuses_impossible_dates_with_its_own_error_document(anon_client, value):
    response = anon_client.get("/open311/v2/requests.json", {"start_date": value})
    assert response.status_code == 400
    body = response.json()
    assert body[0]["code"] == 400
    assert "start_date" in body[0]["description"]


# --- Control characters on every path ---------------------------------------------------------


def test_a_nul_in_a_query_string_is_a_400_page_in_polish(assistant_client):
    response = assistant_client.get("/problemy/", {"kategoria": "a\x00b"})
    assert response.status_code == 400
    assert "znaki sterujące" in response.content.decode()


def test_a_nul_in_a_form_field_is_a_400(coordinator_client):
    shift = ShiftFactory.create()
    response = coordinator_client.post(f"/dyzur/{shift.pk}/notatka/", {"text": "kawa\x00", "client_uuid": uuid.uuid4()})
    assert response.status_code == 400


def test_a_nul_in_a_json_string_is_a_400_with_the_field_named(assistant_client):
    response = assistant_client.post(
        "/api/v1/notes/", {"text": "a\x00", "client_uuid": str(uuid.uuid4())}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "text" in response.json()


def test_a_nul_in_an_api_token_is_a_400_not_a_database_error():
    response = Client(headers={"authorization": "Token abc\x00def"}).get("/api/v1/notes/")
    assert response.status_code == 400


def test_a_nul_in_an_open311_api_key_is_an_open311_error_document(anon_client):
    response = anon_client.post(
        "/open311/v2/requests.json", {"api_key": "k\x00", "service_code": "lighting", "description": "lampa"}
    )
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_a_nul_in_the_path_is_a_400(anon_client):
    assert anon_client.get("/z/AB%00CD/").status_code == 400


def test_a_value_longer_than_any_field_is_refused_before_any_view(assistant_client):
    response = assistant_client.post(
        "/api/v1/notes/", {"text": "a" * 20_000, "client_uuid": str(uuid.uuid4())}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "za długa" in response.json()["text"][0]


# --- Numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("param", ["limit", "offset"])
@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "abc", "1e3"])
def test_api_lists_refuse_page_bounds_they_cannot_use(assistant_client, param, value):
    response = assistant_client.get("/api/v1/notes/", {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_an_api_page_is_at_most_200_rows(assistant_client):
    assert assistant_client.get("/api/v1/notes/", {"limit": 200}).status_code == 200
    assert assistant_client.get("/api/v1/notes/", {"limit": 201}).status_code == 400


@pytest.mark.parametrize(("lat", "lon"), [("nan", "18.5"), ("50.1", "inf"), ("1e400", "18"), ("91", "0"), ("x", "1")])
def test_the_nearest_place_look_up_refuses_numbers_that_are_not_places(assistant_client, lat, lon):
    PlaceFactory.create()
    response = assistant_client.get("/dyzur/najblizsze/", {"lat": lat, "lon": lon})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["99999999999999999999999", "-3", "0"])
def test_ids_in_query_strings_are_positive_and_within_range(assistant_client, value):
    assert assistant_client.get("/api/v1/notes/", {"shift": value}).status_code == 400
    assert assistant_client.get("/problemy/", {"miejsce": value}).status_code == 400


# --- Redirects --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http:///evil.example"])
def test_next_never_leads_to_another_site(assistant_client, assistant, target):
    shift = ShiftFactory.create(assistants=[assistant], status=Shift.Status.PLANNED)
    response = assistant_client.post(f"/dyzur/{shift.pk}/start/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/dyzur/"
    problem = report(category=CategoryFactory.create(), by=assistant)
    response = assistant_client.post(f"/problemy/{problem.code}/przekazano/", {"next": target})
    assert response["Location"] == f"/problemy/{problem.code}/"


def test_next_on_the_same_site_is_followed(assistant_client, assistant):
    shift = ShiftFactory.create(assistants=[assistant], status=Shift.Status.PLANNED)
    response = assistant_client.post(f"/dyzur/{shift.pk}/start/", {"next": "/dyzur/dyzury/"})
    assert response["Location"] == "/dyzur/dyzury/"


# --- Local times that never existed -----------------------------------------------------------


def test_a_time_in_the_spring_gap_is_refused():
    with pytest.raises(Exception, match="zegary"):
        local_datetime(date(2026, 3, 29), time(2, 30))
    assert local_datetime(date(2026, 3, 29), time(3, 30)).utcoffset() == timedelta(hours=2)


def test_a_shift_planned_in_the_spring_gap_is_refused_with_a_polish_message(coordinator_client):
    place = PlaceFactory.create()
    response = coordinator_client.post(
        "/dyzur/tydzien/zaplanuj/",
        {"place": place.pk, "day": "2026-03-29", "start": "02:15", "end": "04:00", "client_uuid": uuid.uuid4()},
    )
    assert response.status_code == 200
    assert "tej nocy zegary przesuwa się do przodu" in response.content.decode()
    assert not Shift.objects.exists()


def test_a_club_session_moved_into_the_spring_gap_is_refused(club_client):
    session = make_activity(starts_on=timezone.localdate() + timedelta(days=7)).sessions.first()
    response = club_client.post(
        f"/klub/zespol/termin/{session.pk}/przenies/",
        {"day": "2026-03-29", "start": "02:00", "end": "03:30", "room": session.room_id},
    )
    assert response.status_code == 200
    assert "zegary" in response.content.decode()


# --- The one error path -----------------------------------------------------------------------


def test_error_pages_are_polish_and_leak_nothing(anon_client, settings):
    response = anon_client.get("/nie-ma-takiej-strony/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Nie możemy znaleźć tej strony" in text
    assert "public.min.css" in text
    assert "urlpatterns" not in text and "Traceback" not in text


def test_an_api_404_is_json(assistant_client):
    response = assistant_client.get("/api/v1/shifts/999999/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_an_api_token_in_the_header_still_works(assistant):
    _token, raw = ApiToken.issue(name="Tablet", user=assistant)
    assert Client(headers={"authorization": f"Token {raw}"}).get("/api/v1/notes/").status_code == 200
