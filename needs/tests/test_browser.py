import pytest
from django.utils import timezone

from duty.models import Shift
from duty.tests.factories import NoteFactory, ShiftFactory
from needs.models import Problem
from needs.tests.factories import CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_a_note_to_a_code_a_resident_can_check(phone_factory, assistant):
    CategoryFactory.create(code="housing_repair", name="Remont w lokalu komunalnym")
    shift = ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )
    NoteFactory.create(shift=shift, text="Przecieka dach nad klatką schodową familoka")
    phone = phone_factory()
    phone.login(assistant.username)
    page = phone.page
    page.locator("a[data-report-problem]").first.click()
    assert page.input_value("textarea[name=description]") == "Przecieka dach nad klatką schodową familoka"
    page.select_option("select[name=category]", label="Remont w lokalu komunalnym")
    page.get_by_role("button", name="Zapisz problem").click()
    code = page.locator("[data-problem-code]").inner_text().strip()
    problem = Problem.objects.get()
    assert code == problem.code and problem.place == shift.place and problem.note is not None
    phone.screenshot("needs-problem-reported")

    resident = phone_factory()
    resident.goto(f"/z/{code}/")
    assert resident.page.locator("[data-public-status]").inner_text().startswith("Przyjęliśmy zgłoszenie")
    assert assistant.username not in resident.page.content()
    assert not resident.has_horizontal_scroll()
    resident.screenshot("needs-public-status")
    assert phone.console_errors == [] and resident.console_errors == []
    assert resident.external_requests == []


def test_a_second_report_becomes_a_voice_and_the_thread_leads_back_to_the_shift(phone_factory, assistant):
    """390×844: report from a note, "Ktoś już to zgłosił" on a second report at the same place, add the
    voice, back to the shift in one tap, and each note shows the code it produced."""
    CategoryFactory.create(code="lighting", name="Oświetlenie")
    shift = ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )
    first_note = NoteFactory.create(shift=shift, text="Nie świeci lampa przy trzepaku")
    second_note = NoteFactory.create(shift=shift, text="Ciemno przy trzepaku, lampa zepsuta")
    phone = phone_factory()
    assert phone.page.viewport_size == {"width": 390, "height": 844}
    phone.login(assistant.username)
    page = phone.page

    page.locator(f'[data-note-id="{first_note.pk}"] a[data-report-problem]').click()
    page.select_option("select[name=category]", label="Oświetlenie")
    page.get_by_role("button", name="Zapisz problem").click()
    code = page.locator("[data-problem-code]").inner_text().strip()
    page.locator("a[data-back-to-shift]").click()
    page.locator(f'[data-note-id="{first_note.pk}"] [data-note-problem="{code}"]').wait_for()

    page.locator(f'[data-note-id="{second_note.pk}"] a[data-report-problem]').click()
    page.select_option("select[name=category]", label="Oświetlenie")
    page.get_by_role("button", name="Zapisz problem").click()
    suggestion = page.locator(f'[data-similar-problem="{code}"]')
    suggestion.wait_for()
    assert "Ktoś już to zgłosił" in page.locator("[data-similar]").inner_text()
    phone.screenshot("needs-someone-already-reported")
    suggestion.get_by_role("button", name="Dodaj głos tej osoby").click()
    assert page.locator("[data-problem-code]").inner_text().strip() == code
    assert page.locator("[data-supporters]").get_attribute("data-supporters") == "2"
    page.locator("a[data-back-to-shift]").click()
    page.locator(f'[data-note-id="{second_note.pk}"] [data-note-problem="{code}"]').wait_for()
    assert Problem.objects.count() == 1 and Problem.objects.get().supporters == 2
    assert not phone.has_horizontal_scroll()
    assert phone.console_errors == [] and phone.external_requests == []
