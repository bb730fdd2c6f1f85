from datetime import timedelta

import pytest
from django.utils import timezone

from duty.models import Shift
from duty.tests.factories import PlaceFactory, ShiftFactory
from reminders import services
from reminders.models import Kind, Notification
from reminders.tests.factories import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_assistant_sees_the_bell_reads_a_reminder_and_opens_it(phone, assistant):
    started = timezone.now() - timedelta(hours=13)
    place = PlaceFactory.create(name="Podwórko familoków przy ulicy Kolejowej")
    ShiftFactory.create(
        place=place,
        assistants=[assistant],
        planned_start=started,
        planned_end=started + timedelta(hours=2),
        status=Shift.Status.STARTED,
        started_at=started,
    )
    services.reminders_sweep()
    notify(
        assistant,
        kind=Kind.FEEDBACK_UNTOLD,
        object_key="problem:K7QW2ZP",
        title="Przekaż mieszkańcom, co dalej ze sprawą K7QW2ZP (Podwórko familoków przy ulicy Kolejowej)",
        body="Jest nowa informacja od 18.11.\nZnajdziesz ją na liście „Do przekazania tutaj”.",
    )
    notify(assistant, title="Stara sprawa, już nieaktualna", resolved=True)
    phone.login(assistant.username)
    page = phone.page
    assert page.locator(".bell-count").inner_text() == "2"
    page.locator("a.bell").click()
    page.get_by_role("heading", name="Powiadomienia").wait_for()
    assert page.get_by_text("Niezakończony dyżur: Podwórko familoków przy ulicy Kolejowej").is_visible()
    assert page.get_by_text("nieaktualne").is_visible()
    assert not phone.has_horizontal_scroll()
    phone.screenshot("reminders-list")
    page.get_by_role("button", name="Oznacz jako przeczytane").first.click()
    page.get_by_role("heading", name="Powiadomienia").wait_for()
    assert page.locator(".bell-count").inner_text() == "1"
    page.get_by_role("button", name="Niezakończony dyżur: Podwórko familoków przy ulicy Kolejowej").click()
    page.wait_for_load_state("networkidle")
    assert "/dyzur/" in page.url
    assert (
        Notification.objects.filter(recipient=assistant, read_at__isnull=True, reminder__resolved_at=None).count() == 0
    )
    phone.goto("/powiadomienia/ustawienia/")
    assert not phone.has_horizontal_scroll()
    phone.screenshot("reminders-preferences")
    assert phone.console_errors == [] and phone.external_requests == []
