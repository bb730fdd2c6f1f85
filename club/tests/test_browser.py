from datetime import time, timedelta

import pytest
from django.utils import timezone

from club.models import Activity
from club.tests.factories import make_activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_club_staff_record_attendance_in_a_few_taps(phone, club_staff):
    now = timezone.localtime()
    session = make_activity(
        title="Animacje dla dzieci",
        starts_on=now.date(),
        start_time=time(0, 5),
        end_time=time(0, 50),
        audience=Activity.Audience.CHILDREN,
    ).sessions.get()
    phone.login(club_staff.username)
    page = phone.page
    page.get_by_role("link", name="Zapisz frekwencję").first.click()
    for _ in range(4):
        page.get_by_role("button", name="o jeden więcej: Dzieci").click()
    page.get_by_role("button", name="o jeden więcej: Dorośli").click()
    page.get_by_role("button", name="o jeden więcej: W tym po raz pierwszy").click()
    phone.screenshot("club-attendance")
    page.get_by_role("button", name="Zapisz frekwencję").click()
    page.get_by_text("Frekwencja zapisana").wait_for()
    session.refresh_from_db()
    assert (session.children, session.adults, session.first_time) == (4, 1, 1)
    assert session.attendance_recorded_by == club_staff
    assert phone.console_errors == []
    assert not phone.has_horizontal_scroll()


def test_a_resident_sees_the_schedule_and_the_poster(phone_factory):
    today = timezone.localdate()
    make_activity(title="Szachy dla seniorów", starts_on=today + timedelta(days=1), leader_name="Heniu")
    cancelled = make_activity(title="Zajęcia plastyczne", starts_on=today + timedelta(days=2)).sessions.get()
    from club import services

    services.session_cancel(session=cancelled, reason="Prowadząca chora")
    phone = phone_factory()
    phone.goto("/klub/")
    assert phone.page.get_by_text("Szachy dla seniorów").is_visible()
    assert phone.page.get_by_text("Odwołane: Prowadząca chora").is_visible()
    assert not phone.has_horizontal_scroll()
    phone.screenshot("club-public-schedule")
    phone.goto("/klub/plakat/")
    assert phone.page.locator("svg").count() == 1
    phone.screenshot("club-poster")
    assert phone.console_errors == [] and phone.external_requests == []
