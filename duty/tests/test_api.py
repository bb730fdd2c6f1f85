import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duty.models import ConversationNote, CounterTap, Shift
from duty.tests.factories import NeedFactory, NoteFactory, PlaceFactory, ShiftFactory
from needs.models import Need

pytestmark = pytest.mark.django_db


def note_body(shift, **extra):
    return {
        "client_uuid": str(uuid.uuid4()),
        "shift": shift.pk,
        "text": "Mama dwójki dzieci szuka zajęć na popołudnie",
        "needs": ["childcare"],
        "stage": "using",
        "age_band": "adult",
        "touchpoint": "coffee",
        **extra,
    }


def test_needs_list_the_taxonomy_with_codes(assistant_client, needs):
    response = assistant_client.get("/api/v1/needs/")
    assert response.status_code == 200
    codes = {n["code"] for n in response.json()}
    assert {"being_heard", "childcare"} <= codes  # with the rest of the shipped catalogue
    assert codes == set(Need.objects.filter(active=True).values_list("code", flat=True))


def test_anonymous_gets_401(anon_client):
    assert anon_client.get("/api/v1/notes/").status_code == 401
    assert anon_client.post("/api/v1/notes/", {}, content_type="application/json").status_code == 401


def test_club_staff_may_not_use_the_duty_api(club_client, started_shift):
    assert club_client.get("/api/v1/shifts/").status_code == 403
    assert (
        club_client.post("/api/v1/notes/", note_body(started_shift), content_type="application/json").status_code == 403
    )


def test_places_are_created_by_coordinators_only(coordinator_client, assistant_client):
    body = {"name": "Ławka przy stawie", "kind": "bench", "lat": "50.093100", "lon": "18.529000"}
    assert assistant_client.post("/api/v1/places/", body, content_type="application/json").status_code == 403
    response = coordinator_client.post("/api/v1/places/", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["id"]
    assert [p["name"] for p in assistant_client.get("/api/v1/places/").json()["results"]] == ["Ławka przy stawie"]


def test_a_note_is_created_then_an_identical_replay_returns_it(assistant_client, started_shift, needs):
    body = note_body(started_shift)
    first = assistant_client.post("/api/v1/notes/", body, content_type="application/json")
    assert first.status_code == 201
    again = assistant_client.post("/api/v1/notes/", body, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert ConversationNote.objects.count() == 1
    note = ConversationNote.objects.get()
    assert [n.code for n in note.needs.all()] == ["childcare"]
    assert note.place == started_shift.place


def test_a_replay_with_other_content_is_a_conflict(assistant_client, started_shift, needs):
    body = note_body(started_shift)
    assert assistant_client.post("/api/v1/notes/", body, content_type="application/json").status_code == 201
    changed = {**body, "text": "Zupełnie inna rozmowa"}
    response = assistant_client.post("/api/v1/notes/", changed, content_type="application/json")
    assert response.status_code == 409
    assert ConversationNote.objects.get().text == body["text"]


def test_the_pii_guard_answers_400_on_text(assistant_client, started_shift, needs):
    body = note_body(started_shift, text="Pan z PESEL 02070803628 prosi o pomoc")
    response = assistant_client.post("/api/v1/notes/", body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["text"]
    assert "PESEL" in response.json()["text"][0]
    assert not ConversationNote.objects.exists()


def test_name_warnings_come_back_without_blocking(assistant_client, started_shift, needs):
    body = note_body(started_shift, text="Pani Kowalska pyta o zajęcia")
    response = assistant_client.post("/api/v1/notes/", body, content_type="application/json")
    assert response.status_code == 201
    assert "Pani Kowalska" in response.json()["pii_warnings"][0]


def test_an_assistant_cannot_write_or_read_notes_of_others(assistant_client, other_shift, needs):
    response = assistant_client.post("/api/v1/notes/", note_body(other_shift), content_type="application/json")
    assert response.status_code == 400
    assert "shift" in response.json()
    foreign = NoteFactory.create(shift=other_shift)
    assert assistant_client.get(f"/api/v1/notes/{foreign.pk}/").status_code == 404
    assert assistant_client.get(f"/api/v1/notes/?shift={other_shift.pk}").json()["results"] == []


def test_a_shared_shift_is_seen_by_both_assistants(assistant_client, assistant2_client, assistant, assistant2):
    shift = ShiftFactory.create(assistants=[assistant, assistant2])
    note = NoteFactory.create(shift=shift)
    assert assistant_client.get(f"/api/v1/notes/{note.pk}/").status_code == 200
    assert assistant2_client.get(f"/api/v1/notes/{note.pk}/").status_code == 200


def test_shift_lifecycle_and_counters(assistant_client, shift):
    base = f"/api/v1/shifts/{shift.pk}/"
    assert assistant_client.post(base + "start/", {}, content_type="application/json").json()["status"] == "started"
    assert assistant_client.post(base + "start/", {}, content_type="application/json").status_code == 200
    tap = {"client_uuid": str(uuid.uuid4()), "counter": "coffee", "delta": 1}
    assert assistant_client.post(base + "counters/", tap, content_type="application/json").status_code == 201
    replay = assistant_client.post(base + "counters/", tap, content_type="application/json")
    assert replay.status_code == 200
    assert replay.json()["counters"]["coffee"] == 1
    for _ in range(3):
        body = {"client_uuid": str(uuid.uuid4()), "counter": "children", "delta": 1}
        assistant_client.post(base + "counters/", body, content_type="application/json")
    detail = assistant_client.get(base).json()
    assert detail["status"] == "started"
    assert detail["counters"] == {
        "onlookers": 0,
        "coffee": 1,
        "snacks": 0,
        "children": 3,
        "adults": 0,
        "first_time": 0,
        "returning": 0,
    }
    ended = assistant_client.post(
        base + "end/", {"summary": "Spokojnie, 3 nowe osoby"}, content_type="application/json"
    )
    assert ended.json()["status"] == "ended"
    assert (
        assistant_client.post(
            base + "end/", {"summary": "Spokojnie, 3 nowe osoby"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert (
        assistant_client.post(base + "end/", {"summary": "Inaczej"}, content_type="application/json").status_code == 409
    )


def test_a_counter_never_goes_below_zero(assistant_client, started_shift):
    body = {"client_uuid": str(uuid.uuid4()), "counter": "coffee", "delta": -1}
    response = assistant_client.post(
        f"/api/v1/shifts/{started_shift.pk}/counters/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["delta"] == ["Licznik nie może zejść poniżej zera."]
    assert not CounterTap.objects.exists()


def test_an_unknown_counter_is_refused(assistant_client, started_shift):
    body = {"client_uuid": str(uuid.uuid4()), "counter": "beers", "delta": 1}
    response = assistant_client.post(
        f"/api/v1/shifts/{started_shift.pk}/counters/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "counter" in response.json()


def test_an_assistant_may_plan_only_for_themselves(assistant_client, assistant, assistant2, coordinator_client):
    place = PlaceFactory.create()
    start = timezone.now() + timedelta(days=1)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "place": place.pk,
        "planned_start": start.isoformat(),
        "planned_end": (start + timedelta(hours=2)).isoformat(),
        "assistants": [assistant2.pk],
    }
    assert assistant_client.post("/api/v1/shifts/", body, content_type="application/json").status_code == 403
    mine = {**body, "client_uuid": str(uuid.uuid4()), "assistants": [assistant.pk]}
    created = assistant_client.post("/api/v1/shifts/", mine, content_type="application/json")
    assert created.status_code == 201
    assert (
        assistant_client.post("/api/v1/shifts/", mine, content_type="application/json").json()["id"]
        == created.json()["id"]
    )
    planned = coordinator_client.post("/api/v1/shifts/", body, content_type="application/json")
    assert planned.status_code == 201
    assert Shift.objects.get(pk=planned.json()["id"]).assistants.get() == assistant2


def test_a_shift_must_end_after_it_starts(coordinator_client):
    place = PlaceFactory.create()
    start = timezone.now()
    body = {
        "client_uuid": str(uuid.uuid4()),
        "place": place.pk,
        "planned_start": start.isoformat(),
        "planned_end": start.isoformat(),
    }
    response = coordinator_client.post("/api/v1/shifts/", body, content_type="application/json")
    assert response.status_code == 400
    assert "planned_end" in response.json()


def post_twice_at_once(user, url, body):
    """Two phones (or a double tap) send the same JSON at the same instant; their sorted statuses."""
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        client = Client()
        client.force_login(user)
        barrier.wait()
        statuses.append(client.post(url, body, content_type="application/json").status_code)
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(statuses)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_notes_make_one_row(assistant, started_shift, needs):
    body = note_body(started_shift)
    assert post_twice_at_once(assistant, "/api/v1/notes/", body) == [200, 201]
    assert ConversationNote.objects.filter(client_uuid=body["client_uuid"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_taps_count_once(assistant, started_shift):
    body = {"client_uuid": str(uuid.uuid4()), "counter": "coffee", "delta": 1}
    assert post_twice_at_once(assistant, f"/api/v1/shifts/{started_shift.pk}/counters/", body) == [200, 201]
    started_shift.refresh_from_db()
    assert started_shift.coffee == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_note_and_shift_lists_cost_the_same_queries(
    assistant_client, assistant, needs, rows, django_assert_max_num_queries
):
    shift = ShiftFactory.create(assistants=[assistant])
    for _ in range(rows):
        note = NoteFactory.create(shift=shift)
        note.needs.set(needs)
        ShiftFactory.create(assistants=[assistant])
    # Session, user, roles, count, notes, their needs, the problems and voices they produced, the access log.
    with django_assert_max_num_queries(9):
        assert len(assistant_client.get(f"/api/v1/notes/?shift={shift.pk}").json()["results"]) == rows
    with django_assert_max_num_queries(8):
        assert assistant_client.get("/api/v1/shifts/").json()["count"] == rows + 1


def test_the_openapi_schema_lists_the_duty_endpoints(assistant_client):
    response = assistant_client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in ("/api/v1/needs/", "/api/v1/places/", "/api/v1/shifts/{id}/counters/", "/api/v1/notes/"):
        assert path in schema


def test_the_notes_list_query_count_is_constant(assistant_client, assistant, needs):
    shift = ShiftFactory.create(assistants=[assistant])
    NoteFactory.create(shift=shift)
    with CaptureQueriesContext(connection) as one:
        assistant_client.get("/api/v1/notes/")
    for _ in range(20):
        NoteFactory.create(shift=shift).needs.set(needs)
    with CaptureQueriesContext(connection) as many:
        assistant_client.get("/api/v1/notes/")
    assert len(many) == len(one)


def plan_body(place, **extra):
    start = timezone.now() + timedelta(days=1)
    return {
        "client_uuid": str(uuid.uuid4()),
        "place": place.pk,
        "planned_start": start.isoformat(),
        "planned_end": (start + timedelta(hours=2)).isoformat(),
        **extra,
    }


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("post", "start/", {}),
        ("post", "end/", {"summary": "x"}),
        ("post", "counters/", {"client_uuid": "6f3b1600-0000-4000-8000-0000000000aa", "counter": "coffee", "delta": 1}),
    ],
)
def test_it_hides_another_assistants_shift_from_every_shift_endpoint(
    assistant_client, other_shift, method, suffix, body
):
    url = f"/api/v1/shifts/{other_shift.pk}/{suffix}"
    response = getattr(assistant_client, method)(url, body, content_type="application/json")
    assert response.status_code == 404
    other_shift.refresh_from_db()
    assert (other_shift.status, other_shift.coffee) == (Shift.Status.STARTED, 0)


def test_it_shows_coordinators_every_shift_and_note(coordinator_client, other_shift, started_shift):
    note = NoteFactory.create(shift=other_shift)
    assert {s["id"] for s in coordinator_client.get("/api/v1/shifts/").json()["results"]} == {
        other_shift.pk,
        started_shift.pk,
    }
    assert coordinator_client.get(f"/api/v1/notes/{note.pk}/").status_code == 200


def test_it_accepts_token_authentication(assistant, started_shift):
    from core.models import ApiToken

    _token, raw = ApiToken.issue(name="Tablet", user=assistant)
    client = Client(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/shifts/").json()["count"] == 1
    tap = {"client_uuid": str(uuid.uuid4()), "counter": "adults", "delta": 1}
    assert (
        client.post(f"/api/v1/shifts/{started_shift.pk}/counters/", tap, content_type="application/json").status_code
        == 201
    )
    assert Client(HTTP_AUTHORIZATION="Token wrong").get("/api/v1/shifts/").status_code == 401


def test_it_serves_the_api_docs(assistant_client):
    assert assistant_client.get("/api/docs/").status_code == 200


def test_it_answers_409_when_a_shift_client_id_is_reused_with_other_content(coordinator_client, assistant):
    body = plan_body(PlaceFactory.create(), assistants=[assistant.pk])
    assert coordinator_client.post("/api/v1/shifts/", body, content_type="application/json").status_code == 201
    later = {**body, "planned_end": (timezone.now() + timedelta(days=2)).isoformat()}
    assert coordinator_client.post("/api/v1/shifts/", later, content_type="application/json").status_code == 409
    assert Shift.objects.count() == 1


def test_it_answers_409_when_a_tap_client_id_is_reused_with_another_counter(assistant_client, started_shift):
    url = f"/api/v1/shifts/{started_shift.pk}/counters/"
    tap = {"client_uuid": str(uuid.uuid4()), "counter": "coffee", "delta": 1}
    assert assistant_client.post(url, tap, content_type="application/json").status_code == 201
    other = {**tap, "counter": "snacks"}
    assert assistant_client.post(url, other, content_type="application/json").status_code == 409
    started_shift.refresh_from_db()
    assert (started_shift.coffee, started_shift.snacks, CounterTap.objects.count()) == (1, 0, 1)


def test_it_leaves_a_shift_a_coordinator_planned_without_assistants_unassigned(coordinator_client):
    response = coordinator_client.post(
        "/api/v1/shifts/", plan_body(PlaceFactory.create()), content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["assistants"] == []


def test_it_plans_a_shift_for_the_assistant_who_sends_no_assistants(assistant_client, assistant):
    response = assistant_client.post(
        "/api/v1/shifts/", plan_body(PlaceFactory.create()), content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["assistants"] == [assistant.pk]


def test_it_refuses_a_phone_number_in_the_end_summary_and_keeps_the_shift_running(assistant_client, started_shift):
    response = assistant_client.post(
        f"/api/v1/shifts/{started_shift.pk}/end/", {"summary": "Oddzwonić 601 234 567"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "telefonu" in response.json()["summary"][0]
    started_shift.refresh_from_db()
    assert started_shift.status == Shift.Status.STARTED


def test_it_refuses_a_phone_number_in_a_place_description(coordinator_client):
    body = {"name": "Ławka", "kind": "bench", "description": "Klucz u sąsiada, tel. 601 234 567"}
    response = coordinator_client.post("/api/v1/places/", body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["description"]


@pytest.mark.django_db(transaction=True)
def test_it_creates_one_shift_for_two_concurrent_identical_requests(assistant):
    place = PlaceFactory.create()
    body = plan_body(place, assistants=[assistant.pk])
    assert post_twice_at_once(assistant, "/api/v1/shifts/", body) == [200, 201]
    assert Shift.objects.filter(client_uuid=body["client_uuid"]).count() == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_it_lists_places_and_needs_with_a_fixed_number_of_queries(
    assistant_client, rows, django_assert_max_num_queries
):
    shipped = Need.objects.count()
    for n in range(rows):
        PlaceFactory.create()
        NeedFactory.create(code=f"need_x{n}")
    with django_assert_max_num_queries(6):
        assert len(assistant_client.get("/api/v1/places/").json()["results"]) == rows
    with django_assert_max_num_queries(6):
        assert len(assistant_client.get("/api/v1/needs/").json()) == shipped + rows


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


@pytest.mark.django_db(transaction=True)  # outside a test transaction, as in production
def test_it_saves_a_note_in_at_most_eight_queries(assistant_client, started_shift, needs):
    """Session, user, roles, shift; the note, its needs, its history row and the history's needs."""
    with CaptureQueriesContext(connection) as ctx:
        response = assistant_client.post(
            "/api/v1/notes/",
            note_body(started_shift, needs=["childcare", "being_heard"]),
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    assert len(statements) <= 8, "\n".join(q[:160] for q in statements)
    note = ConversationNote.objects.get()
    assert sorted(n.code for n in note.needs.all()) == ["being_heard", "childcare"]
    assert sorted(response.json()["needs"]) == ["being_heard", "childcare"]
    assert response.json()["id"] == note.pk
    record = note.history.get()
    assert record.history_type == "+"
    assert record.history_user == started_shift.assistants.get()
    assert sorted(record.needs.values_list("need__code", flat=True)) == ["being_heard", "childcare"]


def test_it_refuses_an_unknown_need_and_keeps_nothing(assistant_client, started_shift, needs):
    response = assistant_client.post(
        "/api/v1/notes/", note_body(started_shift, needs=["childcare", "no_such_need"]), content_type="application/json"
    )
    assert response.status_code == 400
    assert "no_such_need" in str(response.json()["needs"])
    assert not ConversationNote.objects.exists()


def test_it_tells_coordinators_when_a_new_note_asks_for_follow_up(assistant_client, started_shift, needs, monkeypatch):
    sent = []
    monkeypatch.setattr("reminders.receivers.enqueue_on_commit", lambda task, *args: sent.append((task.name, args)))
    response = assistant_client.post(
        "/api/v1/notes/", note_body(started_shift, wants_follow_up=True), content_type="application/json"
    )
    assert response.status_code == 201
    assert sent == [("reminders.follow_up", (response.json()["id"],))]
