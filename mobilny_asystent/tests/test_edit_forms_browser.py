"""Every edit form opens with the stored dates and times in the browser's own pickers."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from club.models import Activity
from club.tests.factories import make_activity
from duty.tests.factories import ShiftFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _values(page, names):
    return {name: page.locator(f"input[name={name}]").input_value() for name in names}


def test_it_opens_the_shift_edit_form_with_the_stored_day_and_times(phone, coordinator, assistant):
    day = timezone.localdate() + timedelta(days=9)
    start = timezone.make_aware(datetime.combine(day, time(9, 30)))
    shift = ShiftFactory.create(assistants=[assistant], planned_start=start, planned_end=start + timedelta(hours=2))
    phone.login(coordinator.username)
    phone.goto(f"/dyzur/{shift.pk}/edytuj/")
    assert _values(phone.page, ("day", "start", "end")) == {
        "day": day.isoformat(),
        "start": "09:30",
        "end": "11:30",
    }
    # Saving without touching anything keeps the shift where it was.
    phone.page.get_by_role("button", name="Zapisz").click()
    phone.page.wait_for_url("**/tydzien/**")
    shift.refresh_from_db()
    assert shift.planned_start == start


def test_it_opens_the_week_plan_with_a_day_already_filled_in(phone, coordinator):
    phone.login(coordinator.username)
    phone.goto("/dyzur/tydzien/")
    assert phone.page.locator("input[name=day]").input_value() == timezone.localdate().isoformat()
    assert _values(phone.page, ("start", "end")) == {"start": "10:00", "end": "12:00"}


def test_it_opens_the_session_move_and_activity_forms_with_the_stored_dates(phone, club_staff):
    day = timezone.localdate() + timedelta(days=10)
    activity = make_activity(
        title="Szachy",
        starts_on=day,
        until=day + timedelta(days=28),
        start_time=time(17, 15),
        end_time=time(18, 45),
        recurrence=Activity.Recurrence.WEEKLY,
        weekdays=[day.weekday()],
    )
    session = activity.sessions.order_by("starts_at").first()
    phone.login(club_staff.username)
    phone.goto(f"/klub/zespol/termin/{session.pk}/przenies/")
    assert _values(phone.page, ("day", "start", "end")) == {"day": day.isoformat(), "start": "17:15", "end": "18:45"}
    phone.goto(f"/klub/zespol/zajecia/{activity.pk}/")
    assert _values(phone.page, ("starts_on", "until", "start_time", "end_time")) == {
        "starts_on": day.isoformat(),
        "until": (day + timedelta(days=28)).isoformat(),
        "start_time": "17:15",
        "end_time": "18:45",
    }
