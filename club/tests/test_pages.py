from datetime import date, time, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from club import services
from club.models import Activity, Session
from club.tests.factories import RoomFactory, make_activity

pytestmark = pytest.mark.django_db


def soon(days=1):
    return timezone.localdate() + timedelta(days=days)


def test_the_public_schedule_needs_no_login_and_hides_staff(anon_client, club_staff):
    make_activity(title="Animacje", starts_on=soon(), leader_user=club_staff)
    make_activity(title="Zebranie zespołu", starts_on=soon(), public=False, room=RoomFactory.create(name="Biuro"))
    cancelled = make_activity(title="Plastyka", starts_on=soon(2)).sessions.get()
    services.session_cancel(session=cancelled, reason="Prowadząca chora")
    html = anon_client.get(reverse("club:schedule")).content.decode()
    assert "Animacje" in html
    assert "Zebranie zespołu" not in html
    assert club_staff.username not in html
    assert "Prowadząca chora" in html and "text-decoration-line-through" in html


def test_the_calendar_feed_parses_event_by_event(anon_client):
    public = make_activity(
        title="Szachy",
        recurrence=Activity.Recurrence.WEEKLY,
        weekdays=[soon().weekday()],
        starts_on=soon(),
        until=soon(20),
        description="Dla seniorów",
    )
    make_activity(title="Tajne", public=False, starts_on=soon(), room=RoomFactory.create(name="Biuro"))
    cancelled = public.sessions.order_by("starts_at")[1]
    services.session_cancel(session=cancelled, reason="Święto")
    response = anon_client.get(reverse("club:calendar"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0" and cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Warsaw"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    sessions = list(public.sessions.order_by("starts_at"))
    assert len(events) == len(sessions) == 3
    for session in sessions:
        event = events[f"session-{session.pk}@127.0.0.1:8000"]
        assert str(event["SUMMARY"]) == "Szachy"
        start = event.decoded("DTSTART")
        assert start == session.starts_at and start.hour == 17 and str(start.tzinfo) == "Europe/Warsaw"
        assert str(event["STATUS"]) == ("CANCELLED" if session.pk == cancelled.pk else "CONFIRMED")
    assert events[f"session-{cancelled.pk}@127.0.0.1:8000"].decoded("SEQUENCE") == 1
    again = icalendar.Calendar.from_ical(anon_client.get(reverse("club:calendar")).content)
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)
    not_modified = anon_client.get(reverse("club:calendar"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304


def test_the_poster_has_a_qr_code_to_the_schedule(anon_client):
    make_activity(title="Animacje", starts_on=soon())
    html = anon_client.get(reverse("club:poster") + f"?tydzien={soon().isoformat()}").content.decode()
    assert "<svg" in html and "Animacje" in html and "http://127.0.0.1:8000/klub/" in html
    assert "@page" not in html  # print rules come from the stylesheet
    assert "club/poster.css" in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [("club_client", 200), ("coordinator_client", 200), ("assistant_client", 403), ("anon_client", 302)],
)
def test_who_may_record_attendance(request, persona, status):
    session = make_activity(starts_on=date(2027, 3, 14)).sessions.get()
    client = request.getfixturevalue(persona)
    assert client.get(reverse("club:session_attendance", args=[session.pk])).status_code == status
    client.post(
        reverse("club:session_attendance", args=[session.pk]),
        {"children": 3, "youth": 0, "adults": 1, "seniors": 0, "first_time": 1},
    )
    session.refresh_from_db()
    assert (session.children == 3) is (status == 200)


def test_bad_attendance_is_refused_in_polish_and_keeps_the_numbers(club_client):
    session = make_activity(starts_on=date(2027, 3, 14)).sessions.get()
    data = {"children": 2, "youth": 0, "adults": 1, "seniors": 0, "first_time": 5}
    response = club_client.post(reverse("club:session_attendance", args=[session.pk]), data)
    html = response.content.decode()
    assert "Osób po raz pierwszy nie może być więcej" in html
    assert 'value="5"' in html and 'value="2"' in html
    session.refresh_from_db()
    assert session.attendance_recorded_at is None


def test_the_staff_form_refuses_a_room_conflict_with_a_clear_message(club_client):
    room = RoomFactory.create(name="Sala Mała")
    make_activity(title="Szachy", room=room, starts_on=date(2027, 3, 14))
    data = {k: v for k, v in activity_post(room).items() if k != "weekdays"}  # the staff form ticks weekdays
    response = club_client.post(reverse("club:activity_create"), data)
    html = response.content.decode()
    assert "Sala Mała jest zajęta" in html and "Szachy" in html
    assert 'value="Joga"' in html
    assert not Activity.objects.filter(title="Joga").exists()


def test_the_admin_refuses_a_room_conflict(coordinator_client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    room = RoomFactory.create(name="Sala Duża")
    make_activity(title="Szachy", room=room, starts_on=date(2027, 3, 14))
    data = activity_post(room)
    response = coordinator_client.post("/admin/club/activity/add/", data)
    assert response.status_code == 200
    assert "Sala Duża jest zajęta" in response.content.decode()
    assert not Activity.objects.filter(title="Joga").exists()


def test_the_api_refuses_a_move_into_a_taken_room(club_client):
    room = RoomFactory.create(name="Kuchnia")
    make_activity(title="Pierogi", room=room, starts_on=date(2027, 3, 14))
    other = make_activity(
        title="Kawa", room=RoomFactory.create(name="Sala Mała"), starts_on=date(2027, 3, 15)
    ).sessions.get()
    body = {"starts_at": "2027-03-14T17:30:00+01:00", "ends_at": "2027-03-14T18:00:00+01:00", "room": room.pk}
    response = club_client.post(f"/api/v1/club/sessions/{other.pk}/move/", body, content_type="application/json")
    assert response.status_code == 400
    assert "Kuchnia jest zajęta" in response.json()["detail"][0]


def test_the_api_records_attendance_for_club_staff_only(club_client, assistant_client):
    session = make_activity(starts_on=date(2027, 3, 14)).sessions.get()
    url = f"/api/v1/club/sessions/{session.pk}/attendance/"
    assert assistant_client.post(url, {"children": 4}, content_type="application/json").status_code == 403
    response = club_client.post(url, {"children": 4, "first_time": 1}, content_type="application/json")
    assert response.status_code == 200 and response.json()["children"] == 4


def test_cancel_needs_a_reason(club_client):
    session = make_activity(starts_on=date(2027, 3, 14)).sessions.get()
    response = club_client.post(reverse("club:session_cancel", args=[session.pk]), {"reason": ""})
    assert "To pole jest wymagane" in response.content.decode()
    club_client.post(reverse("club:session_cancel", args=[session.pk]), {"reason": "Awaria ogrzewania"})
    session.refresh_from_db()
    assert session.cancelled and session.cancel_reason == "Awaria ogrzewania"


@pytest.mark.parametrize("rows", [1, 50])
def test_club_lists_cost_the_same_queries(rows, anon_client, club_client, django_assert_max_num_queries):
    activity = make_activity(
        recurrence=Activity.Recurrence.WEEKLY,
        weekdays=[0, 1, 2, 3, 4, 5, 6],
        starts_on=timezone.localdate(),
        until=timezone.localdate() + timedelta(days=rows - 1),
        start_time=time(23),
        end_time=time(23, 30),
    )
    assert activity.sessions.count() == rows
    with django_assert_max_num_queries(3):
        anon_client.get(reverse("club:schedule"))
    with django_assert_max_num_queries(3):
        anon_client.get(reverse("club:calendar"))
    with django_assert_max_num_queries(10):
        club_client.get(reverse("club:staff_home"))
    with django_assert_max_num_queries(10):
        club_client.get(reverse("club:rooms_week"))
    with django_assert_max_num_queries(8):
        assert len(club_client.get("/api/v1/club/sessions/").json()["results"]) == rows
    with django_assert_max_num_queries(14):
        club_client.get("/admin/club/session/")


def test_the_schema_lists_the_club_endpoints(club_client):
    assert "/api/v1/club/sessions/{id}/attendance/" in club_client.get("/api/schema/").content.decode()


def test_sessions_are_listed_once_each(anon_client):
    make_activity(title="Animacje", starts_on=soon())
    assert anon_client.get(reverse("club:schedule")).content.decode().count("Animacje") == 1
    assert Session.objects.count() == 1


def next_monday(weeks=1):
    today = timezone.localdate()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def activity_post(room, **changes):
    data = {
        "title": "Joga",
        "kind": "hobby",
        "audience": "adults",
        "room": room.pk,
        "recurrence": "once",
        "starts_on": "2027-03-14",
        "start_time": "17:30",
        "end_time": "18:30",
        "every_n_weeks": 1,
        "public": "on",
        "weekdays": "[]",
        "leader_name": "",
        "description": "",
    }
    return {**data, **changes}


@pytest.fixture
def superuser_client(coordinator, coordinator_client):
    coordinator.is_superuser = True
    coordinator.save()
    return coordinator_client


def test_it_refuses_a_busy_leader_on_the_staff_form(club_client):
    make_activity(title="Pierogi", leader_name="Basia", starts_on=date(2027, 3, 14))
    data = activity_post(RoomFactory.create(name="Sala Mała"), leader_name="Basia")
    data.pop("weekdays")
    response = club_client.post(reverse("club:activity_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Prowadzący Basia prowadzi już" in html and "Pierogi" in html
    assert not Activity.objects.filter(title="Joga").exists()


def test_it_refuses_a_move_into_a_taken_room_on_the_staff_page(club_client):
    room = RoomFactory.create(name="Kuchnia")
    make_activity(title="Pierogi", room=room, starts_on=date(2027, 3, 14))
    other = make_activity(title="Kawa", starts_on=date(2027, 3, 15)).sessions.get()
    data = {"day": "2027-03-14", "start": "17:30", "end": "18:00", "room": room.pk}
    response = club_client.post(reverse("club:session_move", args=[other.pk]), data)
    assert response.status_code == 200
    assert "Kuchnia jest zajęta" in response.content.decode()
    other.refresh_from_db()
    assert timezone.localdate(other.starts_at) == date(2027, 3, 15) and other.moved_from is None


def test_it_refuses_an_api_move_when_the_leader_is_busy(club_client):
    make_activity(title="Pierogi", leader_name="Basia", starts_on=date(2027, 3, 14))
    other = make_activity(title="Szydełko", leader_name="Basia", starts_on=date(2027, 3, 15)).sessions.get()
    body = {"starts_at": "2027-03-14T17:30:00+01:00", "ends_at": "2027-03-14T18:00:00+01:00"}
    response = club_client.post(f"/api/v1/club/sessions/{other.pk}/move/", body, content_type="application/json")
    assert response.status_code == 400
    assert "Basia prowadzi już" in response.json()["detail"][0]
    other.refresh_from_db()
    assert timezone.localdate(other.starts_at) == date(2027, 3, 15)


def test_it_refuses_a_weekly_activity_without_a_last_date_in_the_admin(superuser_client):
    data = activity_post(RoomFactory.create(), recurrence="weekly", weekdays="[6]")
    response = superuser_client.post("/admin/club/activity/add/", data)
    assert response.status_code == 200
    assert "Zajęcia cotygodniowe potrzebują daty zakończenia." in response.content.decode()
    assert not Activity.objects.exists()


def test_it_refuses_a_clashing_series_edit_in_the_admin(superuser_client):
    room = RoomFactory.create(name="Sala Duża")
    make_activity(title="Szachy", room=room, starts_on=next_monday())
    joga = make_activity(title="Joga", room=room, starts_on=next_monday(), start_time=time(19), end_time=time(20))
    data = activity_post(room, starts_on=next_monday().isoformat(), start_time="18:00", end_time="19:00")
    response = superuser_client.post(f"/admin/club/activity/{joga.pk}/change/", data)
    assert response.status_code == 200
    assert "Sala Duża jest zajęta" in response.content.decode()
    joga.refresh_from_db()
    assert joga.start_time == time(19)
    assert timezone.localtime(joga.sessions.get().starts_at).hour == 19


def test_it_refuses_a_clashing_session_in_the_admin(superuser_client):
    make_activity(title="Pierogi", leader_name="Basia", starts_on=date(2027, 3, 14))
    session = make_activity(title="Kawa", starts_on=date(2027, 3, 15)).sessions.get()
    data = {
        "activity": session.activity_id,
        "starts_at_0": "2027-03-14",
        "starts_at_1": "17:30",
        "ends_at_0": "2027-03-14",
        "ends_at_1": "18:00",
        "room": session.room_id,
        "leader_name": "Basia",
    }
    response = superuser_client.post(f"/admin/club/session/{session.pk}/change/", data)
    assert response.status_code == 200
    assert "Basia prowadzi już" in response.content.decode()
    session.refresh_from_db()
    assert timezone.localdate(session.starts_at) == date(2027, 3, 15) and session.leader_name == ""


@pytest.mark.parametrize(("persona", "status"), [("assistant_client", 403), ("anon_client", 302)])
def test_it_lets_only_club_staff_cancel_move_or_plan(request, persona, status):
    session = make_activity(starts_on=date(2027, 3, 14)).sessions.get()
    client = request.getfixturevalue(persona)
    cancel = client.post(reverse("club:session_cancel", args=[session.pk]), {"reason": "Awaria"})
    move = client.post(
        reverse("club:session_move", args=[session.pk]),
        {"day": "2027-03-15", "start": "17:00", "end": "18:00", "room": session.room_id},
    )
    plan = client.post(reverse("club:activity_create"), {**activity_post(session.room), "starts_on": "2027-04-01"})
    assert (cancel.status_code, move.status_code, plan.status_code) == (status, status, status)
    session.refresh_from_db()
    assert not session.cancelled and session.moved_from is None
    assert Activity.objects.count() == 1


def test_it_keeps_the_uid_and_raises_the_sequence_of_a_changed_session_in_the_feed(anon_client):
    activity = make_activity(
        title="Szachy",
        recurrence=Activity.Recurrence.WEEKLY,
        weekdays=[0],
        starts_on=next_monday(),
        until=next_monday(2),
    )
    first, second = activity.sessions.order_by("starts_at")[:2]
    services.session_move(
        session=first, starts_at=first.starts_at + timedelta(hours=1), ends_at=first.ends_at + timedelta(hours=1)
    )
    services.activity_update_series(activity=activity, title="Szachy i warcaby", start_time=time(16))
    cal = icalendar.Calendar.from_ical(anon_client.get(reverse("club:calendar")).content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    moved = events[f"session-{first.pk}@127.0.0.1:8000"]
    assert moved.decoded("DTSTART").hour == 18 and moved.decoded("DTEND").strftime("%H:%M") == "19:30"
    assert moved.decoded("SEQUENCE") == 1
    edited = events[f"session-{second.pk}@127.0.0.1:8000"]
    assert edited.decoded("DTSTART").hour == 16 and edited.decoded("SEQUENCE") == 1
    assert str(edited["SUMMARY"]) == "Szachy i warcaby"


def _once(title, days, **fields):
    return make_activity(title=title, starts_on=soon(days), room=RoomFactory.create(name=f"Sala {title}"), **fields)


def test_club_staff_read_a_past_session_but_only_count_its_attendance(club_client):
    past = _once("Origami", -2).sessions.get()
    move = reverse("club:session_move", args=[past.pk])
    cancel = reverse("club:session_cancel", args=[past.pk])
    page = club_client.get(move)
    assert page.status_code == 403 and "już się odbyły" in page.content.decode()
    data = {"day": soon(3).isoformat(), "start": "10:00", "end": "11:00", "room": past.room_id}
    assert club_client.post(move, data).status_code == 403
    assert club_client.post(cancel, {"reason": "Pomyłka"}).status_code == 403
    past.refresh_from_db()
    assert (past.starts_at.date(), past.cancelled, past.sequence) == (
        timezone.localtime(past.starts_at).date(),
        False,
        0,
    )
    counts = {"children": 3, "youth": 0, "adults": 1, "seniors": 0, "first_time": 0}
    response = club_client.post(reverse("club:session_attendance", args=[past.pk]), counts)
    assert response.status_code == 302
    past.refresh_from_db()
    assert past.children == 3


def test_the_staff_page_offers_no_move_or_cancel_for_a_past_session(club_client):
    past = _once("Origami", 0, start_time=time(0, 5), end_time=time(0, 35)).sessions.get()
    html = club_client.get(reverse("club:staff_home")).content.decode()
    assert reverse("club:session_attendance", args=[past.pk]) in html
    assert reverse("club:session_move", args=[past.pk]) not in html
    assert reverse("club:session_cancel", args=[past.pk]) not in html


def test_a_coordinator_corrects_a_past_session_saying_why(coordinator_client):
    past = _once("Origami", -2).sessions.get()
    cancel = reverse("club:session_cancel", args=[past.pk])
    refused = coordinator_client.post(cancel, {"reason": "Awaria"})
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.content.decode()
    past.refresh_from_db()
    assert not past.cancelled
    coordinator_client.post(cancel, {"reason": "Awaria", "correction_reason": "Zajęć nie było, wpisano przez pomyłkę"})
    past.refresh_from_db()
    assert past.cancelled
    assert past.history.first().history_change_reason == "Zajęć nie było, wpisano przez pomyłkę"


def test_the_service_refuses_to_change_a_past_session_without_a_coordinator(club_staff):
    from django.core.exceptions import ValidationError

    past = _once("Origami", -1).sessions.get()
    with pytest.raises(ValidationError):
        services.session_cancel(session=past, reason="Pomyłka", by=club_staff)
    with pytest.raises(ValidationError):
        services.session_move(session=past, starts_at=past.starts_at, ends_at=past.ends_at, by=None)


def test_the_schedule_starts_today_and_shows_14_days_with_a_subscription(anon_client):
    for title, days in (("Wczoraj", -1), ("Dzisiaj", 0), ("Za dwa tygodnie", 14), ("Za piętnaście dni", 15)):
        _once(title, days)
    html = anon_client.get(reverse("club:schedule")).content.decode()
    assert "Wczoraj" not in html and "Za piętnaście dni" not in html
    assert "Dzisiaj" in html and "Za dwa tygodnie" in html
    assert 'href="webcal://testserver/klub/kalendarz.ics"' in html
    assert "Subskrybuj w telefonie" in html


def test_the_calendar_feed_carries_the_last_seven_days_and_what_is_ahead(anon_client):
    for title, days in (("Dawno", -8), ("Niedawno", -7), ("Jutro", 1), ("Za pół roku", 180)):
        _once(title, days)
    cal = icalendar.Calendar.from_ical(anon_client.get(reverse("club:calendar")).content)
    assert sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT")) == ["Jutro", "Niedawno", "Za pół roku"]


def test_the_poster_prints_this_week_or_the_next(anon_client):
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    _once("Kółko szachowe", (monday + timedelta(days=6) - timezone.localdate()).days)
    _once("Warsztaty origami", (monday + timedelta(days=8) - timezone.localdate()).days)
    this = anon_client.get(reverse("club:poster"), {"tydzien": "ten"}).content.decode()
    upcoming = anon_client.get(reverse("club:poster"), {"tydzien": "nastepny"}).content.decode()
    assert "Kółko szachowe" in this and "Warsztaty origami" not in this
    assert "Warsztaty origami" in upcoming and "Kółko szachowe" not in upcoming


def test_the_calendar_feed_is_built_once_per_schedule_version(anon_client, django_assert_num_queries):
    activity = make_activity(title="Szachy", starts_on=timezone.localdate() + timedelta(days=1))
    first = anon_client.get(reverse("club:calendar"))
    assert b"Szachy" in first.content
    with django_assert_num_queries(0):
        again = anon_client.get(reverse("club:calendar"))
        not_modified = anon_client.get(reverse("club:calendar"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.content == first.content and not_modified.status_code == 304
    activity.title = "Warcaby"
    activity.save()
    changed = anon_client.get(reverse("club:calendar"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and b"Warcaby" in changed.content and changed["ETag"] != first["ETag"]
