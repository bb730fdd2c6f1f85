from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from club import services
from club.models import Activity, Session
from club.tests.factories import RoomFactory, make_activity

pytestmark = pytest.mark.django_db
UTC = UTC


def utc_hours(activity):
    return [s.starts_at.astimezone(UTC).hour for s in activity.sessions.order_by("starts_at")]


def local_starts(activity):
    return [timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M") for s in activity.sessions.order_by("starts_at")]


def test_a_weekly_session_keeps_its_local_time_across_the_march_change():
    activity = make_activity(
        recurrence=Activity.Recurrence.WEEKLY, weekdays=[0], starts_on=date(2026, 3, 16), until=date(2026, 4, 6)
    )
    assert local_starts(activity) == ["2026-03-16 17:00", "2026-03-23 17:00", "2026-03-30 17:00", "2026-04-06 17:00"]
    assert utc_hours(activity) == [16, 16, 15, 15]  # CET until 29 March, then CEST


def test_a_weekly_session_keeps_its_local_time_across_the_october_change():
    activity = make_activity(
        recurrence=Activity.Recurrence.WEEKLY,
        weekdays=[6],
        starts_on=date(2026, 10, 18),
        until=date(2026, 11, 1),
        start_time=time(2, 30),
        end_time=time(3, 30),
    )
    # 25 October 2026: clocks go back at 3:00; a session at 2:30 that night is the first 2:30 (CEST).
    assert local_starts(activity) == ["2026-10-18 02:30", "2026-10-25 02:30", "2026-11-01 02:30"]
    assert utc_hours(activity) == [0, 0, 1]


def test_every_second_week_on_two_weekdays():
    activity = make_activity(
        recurrence=Activity.Recurrence.WEEKLY,
        weekdays=[1, 3],
        every_n_weeks=2,
        starts_on=date(2026, 1, 5),
        until=date(2026, 2, 1),
    )
    assert [d[:10] for d in local_starts(activity)] == ["2026-01-06", "2026-01-08", "2026-01-20", "2026-01-22"]


def test_a_weekly_activity_needs_an_end_and_weekdays():
    with pytest.raises(ValidationError) as error:
        make_activity(recurrence=Activity.Recurrence.WEEKLY, weekdays=[0], until=None)
    assert "until" in error.value.message_dict
    with pytest.raises(ValidationError):
        make_activity(
            recurrence=Activity.Recurrence.WEEKLY, weekdays=[], until=timezone.localdate() + timedelta(days=30)
        )


def test_a_room_cannot_hold_two_sessions_at_once():
    room = RoomFactory.create(name="Sala Duża")
    make_activity(title="Szachy dla seniorów", room=room, starts_on=date(2027, 3, 14))
    with pytest.raises(ValidationError) as error:
        make_activity(title="Joga", room=room, starts_on=date(2027, 3, 14), start_time=time(18), end_time=time(19))
    assert error.value.messages == ["Sala Duża jest zajęta: 14.03 17:00–18:30 „Szachy dla seniorów”."]
    assert not Activity.objects.filter(title="Joga").exists()  # nothing half-saved


def test_a_leader_cannot_lead_two_sessions_at_once():
    make_activity(title="Pierogi", leader_name="Basia", starts_on=date(2027, 3, 14))
    with pytest.raises(ValidationError) as error:
        make_activity(title="Szydełko", leader_name="basia", starts_on=date(2027, 3, 14), start_time=time(18))
    assert "Basia" in error.value.messages[0] and "Pierogi" in error.value.messages[0]


def test_back_to_back_sessions_do_not_clash():
    room = RoomFactory.create()
    make_activity(room=room, starts_on=date(2027, 3, 14))
    make_activity(
        title="Po szachach", room=room, starts_on=date(2027, 3, 14), start_time=time(18, 30), end_time=time(19)
    )


def test_a_cancelled_session_frees_its_room():
    room = RoomFactory.create()
    first = make_activity(room=room, starts_on=date(2027, 3, 14))
    services.session_cancel(session=first.sessions.get(), reason="Choroba prowadzącej")
    make_activity(title="Zastępstwo", room=room, starts_on=date(2027, 3, 14))


@pytest.mark.parametrize("name", ["Jan Kowalski", "Pani Nowak", "Heniu 601234567", "Anna Maria Nowak"])
def test_a_leader_is_named_by_first_name_or_nickname_only(name):
    with pytest.raises(ValidationError):
        make_activity(leader_name=name)


def test_editing_a_series_changes_only_the_future():
    today = timezone.localdate()
    activity = make_activity(
        recurrence=Activity.Recurrence.WEEKLY,
        weekdays=[0, 1, 2, 3, 4, 5, 6],
        starts_on=today - timedelta(days=3),
        until=today + timedelta(days=3),
    )
    past = list(activity.sessions.filter(starts_at__lt=timezone.now()))
    future = list(activity.sessions.filter(starts_at__gt=timezone.now()).order_by("starts_at"))
    moved, recorded = future[0], future[1]
    services.session_move(
        session=moved, starts_at=moved.starts_at + timedelta(hours=2), ends_at=moved.ends_at + timedelta(hours=2)
    )
    services.session_record_attendance(session=recorded, by=None, children=3, first_time=1)
    change = services.activity_update_series(activity=activity, start_time=time(18), end_time=time(19, 30))
    assert change.kept_with_attendance == 1
    for session in past:
        session.refresh_from_db()
        assert timezone.localtime(session.starts_at).hour == 17
    moved.refresh_from_db()
    assert timezone.localtime(moved.starts_at).hour == 19  # moved by hand: the series leaves it alone
    recorded.refresh_from_db()
    assert recorded.children == 3 and timezone.localtime(recorded.starts_at).hour == 17
    others = activity.sessions.filter(starts_at__gt=timezone.now(), detached=False, attendance_recorded_at__isnull=True)
    assert others.exists() and {timezone.localtime(s.starts_at).hour for s in others} == {18}
    assert activity.sessions.count() == 7  # no date lost, none doubled


def test_moving_a_session_keeps_where_it_was_and_raises_its_revision():
    activity = make_activity(starts_on=date(2027, 3, 14))
    session = activity.sessions.get()
    original = session.starts_at
    services.session_move(
        session=session, starts_at=original + timedelta(days=1), ends_at=session.ends_at + timedelta(days=1)
    )
    session.refresh_from_db()
    assert session.moved_from == original and session.detached and session.sequence == 1


def test_attendance_is_validated():
    session = make_activity(starts_on=date(2027, 3, 14)).sessions.get()
    with pytest.raises(ValidationError) as error:
        services.session_record_attendance(session=session, by=None, children=2, adults=1, first_time=4)
    assert "first_time" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.session_record_attendance(session=session, by=None, children=-1)
    with pytest.raises(ValidationError):
        services.session_record_attendance(session=session, by=None, adults=501)
    services.session_record_attendance(session=session, by=None, children=2, adults=1, first_time=1)
    session.refresh_from_db()
    assert (session.children, session.adults, session.first_time) == (2, 1, 1)
    assert session.attendance_recorded_at is not None


def test_a_session_is_a_real_row_per_date():
    activity = make_activity(
        recurrence=Activity.Recurrence.WEEKLY, weekdays=[2], starts_on=date(2027, 1, 4), until=date(2027, 1, 31)
    )
    assert Session.objects.filter(activity=activity).count() == 4
    assert all(isinstance(s.starts_at, datetime) for s in activity.sessions.all())


def next_monday(weeks=1):
    today = timezone.localdate()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def test_it_keeps_every_second_week_at_its_local_time_across_the_march_change():
    activity = make_activity(
        recurrence=Activity.Recurrence.WEEKLY,
        weekdays=[0],
        every_n_weeks=2,
        starts_on=date(2026, 3, 9),
        until=date(2026, 4, 20),
    )
    assert local_starts(activity) == ["2026-03-09 17:00", "2026-03-23 17:00", "2026-04-06 17:00", "2026-04-20 17:00"]
    assert utc_hours(activity) == [16, 16, 15, 15]


def test_it_keeps_every_second_week_at_its_local_time_across_the_october_change():
    activity = make_activity(
        recurrence=Activity.Recurrence.WEEKLY,
        weekdays=[1],
        every_n_weeks=2,
        starts_on=date(2026, 10, 13),
        until=date(2026, 11, 10),
    )
    assert local_starts(activity) == ["2026-10-13 17:00", "2026-10-27 17:00", "2026-11-10 17:00"]
    assert utc_hours(activity) == [15, 16, 16]


def test_it_edits_a_future_series_in_place_so_calendar_ids_stay():
    activity = make_activity(
        recurrence=Activity.Recurrence.WEEKLY, weekdays=[0], starts_on=next_monday(), until=next_monday(4)
    )
    before = list(activity.sessions.order_by("starts_at").values_list("pk", flat=True))
    change = services.activity_update_series(activity=activity, start_time=time(18), end_time=time(19))
    assert (change.updated, change.created, change.removed) == (4, 0, 0)
    after = list(activity.sessions.order_by("starts_at"))
    assert [s.pk for s in after] == before
    assert {(timezone.localtime(s.starts_at).hour, s.sequence) for s in after} == {(18, 1)}


def test_it_does_not_plan_again_the_date_of_a_session_moved_to_another_day():
    activity = make_activity(
        recurrence=Activity.Recurrence.WEEKLY, weekdays=[0], starts_on=next_monday(), until=next_monday(3)
    )
    moved = activity.sessions.order_by("starts_at").first()
    services.session_move(
        session=moved, starts_at=moved.starts_at + timedelta(days=1), ends_at=moved.ends_at + timedelta(days=1)
    )
    services.activity_update_series(activity=activity, start_time=time(18), end_time=time(19))
    assert activity.sessions.count() == 3
    days = sorted(timezone.localdate(s.starts_at) for s in activity.sessions.all())
    assert next_monday() not in days and next_monday() + timedelta(days=1) in days
    moved.refresh_from_db()
    assert timezone.localtime(moved.starts_at).hour == 17


def test_it_refuses_a_clashing_series_edit_and_changes_nothing():
    room = RoomFactory.create(name="Sala Duża")
    make_activity(title="Szachy", room=room, starts_on=next_monday())
    later = make_activity(
        title="Joga",
        room=room,
        recurrence=Activity.Recurrence.WEEKLY,
        weekdays=[0],
        starts_on=next_monday(),
        until=next_monday(2),
        start_time=time(19),
        end_time=time(20),
    )
    with pytest.raises(ValidationError) as error:
        services.activity_update_series(activity=later, start_time=time(18))
    assert "Sala Duża jest zajęta" in error.value.messages[0]
    later.refresh_from_db()
    assert later.start_time == time(19)
    assert {timezone.localtime(s.starts_at).hour for s in later.sessions.all()} == {19}


def test_it_refuses_a_staff_leader_in_two_rooms_at_once(club_staff):
    make_activity(title="Pierogi", leader_user=club_staff, starts_on=date(2027, 3, 14))
    with pytest.raises(ValidationError) as error:
        make_activity(title="Szydełko", leader_user=club_staff, starts_on=date(2027, 3, 14), start_time=time(18))
    assert "prowadzi już" in error.value.messages[0] and "Pierogi" in error.value.messages[0]


@pytest.mark.parametrize("name", ["Heniu Nowak", "dr Nowak", "Pani Basia"])
def test_it_refuses_a_leader_named_with_a_surname_or_title(name):
    with pytest.raises(ValidationError):
        services.validate_leader_name(name)


@pytest.mark.parametrize("name", ["Heniu", "Kasia K.", "Złota rączka"])
def test_it_accepts_a_first_name_or_nickname(name):
    services.validate_leader_name(name)
