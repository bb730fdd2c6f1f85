"""Every text that is published or leaves the machine passes the PII guard, on every path in.

Which fields are guarded is declared once, by a validator on the model field; these tests walk the
paths (admin, staff forms, API, import, services) for the published texts.
"""

import pytest
import tablib
from django.core.exceptions import ValidationError

from club import services as club_services
from club.models import Activity, Room, Session
from club.resources import ActivityResource
from club.tests.factories import RoomFactory, make_activity
from core.pii import FirstNameOnly, NoPII, guarded_fields
from duty.models import ConversationNote, Place, Shift
from duty.resources import PlaceResource
from duty.tests.factories import PlaceFactory
from needs import services as needs_services
from needs.models import ProblemCategory, ProblemEvent
from needs.tests.factories import report

pytestmark = pytest.mark.django_db

PHONE = "tel. 601 234 567"
PESEL = "pesel 44051401359"
EMAIL = "ola.nowak@wp.pl"

PUBLISHED = [
    (Place, "name"),
    (Place, "description"),
    (Place, "district"),
    (Room, "name"),
    (Activity, "title"),
    (Activity, "description"),
    (Activity, "leader_name"),
    (Session, "leader_name"),
    (Session, "cancel_reason"),
    (ProblemCategory, "name"),
    (ProblemCategory, "description"),
    (ProblemEvent, "public_text"),
]


@pytest.mark.parametrize(("model", "field"), PUBLISHED)
def test_every_published_field_declares_the_guard(model, field):
    assert isinstance(guarded_fields(model)[field], NoPII)


@pytest.mark.parametrize(("model", "field"), [(Activity, "leader_name"), (Session, "leader_name")])
def test_leader_names_take_a_first_name_or_nickname_only(model, field):
    assert isinstance(guarded_fields(model)[field], FirstNameOnly)


def test_internal_texts_are_guarded_too():
    assert {"text"} <= set(guarded_fields(ConversationNote))
    assert {"summary"} <= set(guarded_fields(Shift))


@pytest.mark.parametrize("name", ["Heniu", "Kasia K.", "Złota rączka", "DJ-Marek"])
def test_a_first_name_or_nickname_is_published(name):
    FirstNameOnly()(name)


@pytest.mark.parametrize("name", ["Heniu Nowak", "Pani Basia", "Ania 601234567", f"Ania {EMAIL}", "Jan Maria Rokita"])
def test_a_full_name_or_an_identifier_is_not(name):
    with pytest.raises(ValidationError):
        FirstNameOnly()(name)


def test_the_admin_refuses_an_identifier_in_a_place_name(coordinator_client):
    body = {"name": f"Podwórko {PHONE}", "kind": "courtyard", "district": "", "description": "", "active": "on"}
    response = coordinator_client.post("/admin/duty/place/add/", body)
    assert response.status_code == 200
    assert "telefonu" in response.content.decode()
    assert not Place.objects.exists()


def test_the_api_refuses_an_identifier_in_a_place_description(coordinator_client):
    body = {"name": "Ławka w parku", "kind": "bench", "description": f"dzwonić {PHONE}"}
    response = coordinator_client.post("/api/v1/places/", body, content_type="application/json")
    assert response.status_code == 400
    assert "description" in response.json()
    assert not Place.objects.exists()


def test_the_import_refuses_identifiers_in_activity_texts_and_full_names_of_leaders():
    room = RoomFactory.create(name="Sala 1")
    fields = ["title", "kind", "audience", "leader_name", "room", "description", "public", "recurrence"]
    fields += ["starts_on", "weekdays", "every_n_weeks", "start_time", "end_time"]
    data = tablib.Dataset(headers=fields)
    common = ["hobby", "all"]
    tail = ["1", "once", "2027-03-01", "[]", "1", "17:00", "18:00"]
    data.append(["Szachy", *common, "Heniu", room.name, "Gramy", *tail])
    data.append([f"Szachy {PESEL}", *common, "Heniu", room.name, "Gramy", *tail])
    data.append(["Warcaby", *common, "Heniu", room.name, f"Zapisy: {EMAIL}", *tail])
    data.append(["Bierki", *common, "Heniu Nowak", room.name, "Gramy", *tail])
    result = ActivityResource().import_data(data, dry_run=False, raise_errors=False)
    assert len(result.invalid_rows) == 3
    assert list(Activity.objects.values_list("title", flat=True)) == ["Szachy"]


def test_the_place_import_refuses_an_identifier_in_a_name():
    data = tablib.Dataset(headers=["name", "kind", "district", "description", "active"])
    data.append(["Ławka", "bench", "", "", "1"])
    data.append([f"Ławka {PHONE}", "bench", "", "", "1"])
    result = PlaceResource().import_data(data, dry_run=False, raise_errors=False)
    assert len(result.invalid_rows) == 1
    assert list(Place.objects.values_list("name", flat=True)) == ["Ławka"]


@pytest.mark.parametrize(
    "save",
    [
        lambda: PlaceFactory.create(name=f"Podwórko {PHONE}"),
        lambda: RoomFactory.create(name=f"Sala {EMAIL}"),
        lambda: make_activity(title="Szachy", description=f"zapisy {PHONE}"),
        lambda: make_activity(title="Szachy", leader_name="Heniu Nowak"),
        lambda: ProblemCategory.objects.create(code="x", name=f"Kategoria {PESEL}"),
    ],
    ids=["place", "room", "activity description", "activity leader", "category"],
)
def test_a_save_on_any_other_path_is_refused(save):
    with pytest.raises(ValidationError):
        save()


def test_services_refuse_identifiers_in_cancellation_reasons_leaders_and_public_events(assistant):
    session = make_activity(title="Szachy").sessions.get()
    with pytest.raises(ValidationError):
        club_services.session_cancel(session=session, reason=f"Prowadzący chory, pytania: {PHONE}")
    with pytest.raises(ValidationError):
        club_services.session_set_leader(session=session, leader_user=None, leader_name="Heniu Nowak")
    session.refresh_from_db()
    assert (session.cancelled, session.leader_name) == (False, "")
    problem = report(description="Nie świeci lampa", by=assistant)
    with pytest.raises(ValidationError):
        ProblemEvent.objects.create(problem=problem, kind="comment", public_text=f"Pytania: {EMAIL}")
    with pytest.raises(ValidationError):
        needs_services.problem_set_public_summary(problem=problem, text=f"Lampa, zgłosił {PESEL}", by=None)


def test_a_marker_or_an_ordinary_text_saves(assistant):
    place = PlaceFactory.create(name="Podwórko przy Kolejowej 5", description="Ławka pod lipą, 3 kosze")
    assert Place.objects.get(pk=place.pk).name == "Podwórko przy Kolejowej 5"
