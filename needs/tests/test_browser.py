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
