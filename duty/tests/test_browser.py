import time

import pytest
from django.utils import timezone

from duty.models import ConversationNote, Shift
from duty.tests.factories import NeedFactory, ShiftFactory
from needs.models import Need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_assistant_runs_a_whole_shift_on_a_phone(phone, assistant):
    NeedFactory.create(code="childcare", name="Opieka nad dziećmi")
    NeedFactory.create(code="being_heard", name="Rozmowa i bycie wysłuchanym")
    shift = ShiftFactory.create(assistants=[assistant], planned_start=timezone.now())
    phone.login(assistant.username)
    page = phone.page
    assert page.locator("#live-shift").get_attribute("data-shift-status") == "planned"
    page.get_by_role("button", name="Rozpocznij dyżur").click()
    page.locator('#live-shift[data-shift-status="started"]').wait_for()

    plus_coffee = page.locator('[data-tap][data-counter="coffee"][data-delta="1"]')
    for _ in range(3):
        plus_coffee.click()
    page.locator('[data-tap][data-counter="children"][data-delta="1"]').click()
    assert page.locator('[data-counter-value="coffee"]').inner_text() == "3"

    page.get_by_role("button", name="+ notatka").click()
    more = page.locator("#note-form-box .more-chips > summary")
    if more.count():  # the needs beyond the six most used wait behind "więcej"
        more.click()
    page.locator('input[name=needs][value="childcare"] + label').click()
    page.get_by_text("Korzystanie z usługi").click()
    page.fill("textarea[name=text]", "Mama dwójki dzieci pyta o zajęcia po szkole")
    page.get_by_role("button", name="Zapisz notatkę").click()
    page.wait_for_selector("[data-notes-list] li:not(.note-pending) >> text=Mama dwójki dzieci")
    page.get_by_role("button", name="+ notatka").click()
    page.fill("textarea[name=text]", "Starszy pan opowiadał o kopalni")
    page.get_by_role("button", name="Zapisz notatkę").click()
    page.wait_for_selector("[data-notes-list] li:not(.note-pending) >> text=Starszy pan")
    phone.screenshot("duty-live-shift")

    page.fill("textarea[name=summary]", "Słonecznie, dużo dzieci po szkole")
    page.get_by_role("button", name="Zakończ dyżur").click()
    page.locator('#live-shift[data-shift-status="ended"]').wait_for()
    page.locator("[data-ma-pending]").wait_for(state="detached")
    phone.screenshot("duty-shift-ended")

    shift.refresh_from_db()
    assert (shift.status, shift.coffee, shift.children, shift.summary) == (
        Shift.Status.ENDED,
        3,
        1,
        "Słonecznie, dużo dzieci po szkole",
    )
    notes = list(ConversationNote.objects.order_by("created_at"))
    assert [n.text for n in notes] == ["Mama dwójki dzieci pyta o zajęcia po szkole", "Starszy pan opowiadał o kopalni"]
    assert [n.code for n in notes[0].needs.all()] == ["childcare"] and notes[0].stage == "using"
    assert not phone.has_horizontal_scroll()
    assert phone.console_errors == []
    assert phone.external_requests == []


def _inside_first_screen(locator):
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 844


def test_the_note_form_opens_in_one_screen_with_the_text_first(phone, assistant):
    for n in range(12):
        NeedFactory.create(code=f"need_{n}", name=f"Potrzeba {n}", order=n)
    ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )
    phone.login(assistant.username)
    page = phone.page
    page.get_by_role("button", name="+ notatka").tap()
    text = page.locator("#note-form-box.show textarea[name=text]")
    save = page.get_by_role("button", name="Zapisz notatkę")
    text.wait_for()
    assert _inside_first_screen(text) and _inside_first_screen(save)
    assert page.evaluate("document.activeElement.name") == "text"
    # Six needs out, the rest behind "więcej"; the stage is one row of segments.
    assert page.locator("input[name=needs]:visible").count() == 6
    stages = [page.locator(f"label[for=id_stage_{i}]").bounding_box() for i in range(4)]
    assert len({round(b["y"]) for b in stages}) <= 2  # four segments, on one or two rows
    assert all(b["y"] + b["height"] <= 844 for b in stages)  # inside the first screen too
    total = Need.objects.filter(active=True).count()
    page.get_by_text(f"więcej ({total - 6})").tap()
    assert page.locator("input[name=needs] + label:visible").count() == total
    phone.screenshot("duty-note-sheet")
    page.locator("label[for=id_stage_2]").tap()
    text.fill("Pani pyta o zajęcia dla wnuczki")
    save.tap()
    page.wait_for_selector("[data-notes-list] li:not(.note-pending) >> text=Pani pyta o zajęcia")
    assert page.locator("#note-form-box").is_hidden()
    assert ConversationNote.objects.get().stage == "using"
    assert phone.console_errors == []


def test_a_refused_note_shows_its_message_next_to_the_field_in_view(phone, assistant):
    ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )
    phone.login(assistant.username)
    page = phone.page
    page.get_by_role("button", name="+ notatka").tap()
    typed = "Pan z PESEL 02070803628 prosi o pomoc z remontem"
    page.fill("#note-form-box.show textarea[name=text]", typed)
    page.locator("label[for=id_stage_2]").tap()
    page.get_by_role("button", name="Zapisz notatkę").tap()
    message = page.locator('[data-field-error="text"]')
    message.wait_for(state="visible")
    page.wait_for_function("document.querySelector('[data-field-error=text]').textContent.includes('PESEL')")
    assert _inside_first_screen(message)
    text = page.locator("textarea[name=text]")
    assert text.get_attribute("aria-invalid") == "true"
    assert "text-error" in text.get_attribute("aria-describedby")
    assert text.input_value() == typed  # nothing typed is lost
    assert page.locator("#id_stage_2").is_checked()
    phone.screenshot("duty-note-refused")
    assert ConversationNote.objects.count() == 0


def test_three_taps_100_ms_apart_count_three_with_a_visible_plus_one(phone, assistant):
    shift = ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )
    phone.login(assistant.username)
    page = phone.page
    plus = page.locator('[data-tap][data-counter="coffee"][data-delta="1"]')
    plus.tap()
    page.locator(".counter-ack").first.wait_for()  # the "+1" shows on the first tap
    assert page.locator(".counter-ack").first.inner_text() == "+1"
    page.wait_for_timeout(100)
    plus.tap()
    page.wait_for_timeout(100)
    plus.tap()
    assert page.locator('[data-counter-value="coffee"]').inner_text() == "3"
    # The screen counts at once; the server gets the taps from the queue one after another.
    deadline = time.monotonic() + 15
    while shift.taps.filter(counter="coffee").count() < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.locator("[data-ma-pending]").wait_for(state="detached")
    shift.refresh_from_db()
    assert shift.coffee == 3
    assert shift.taps.filter(counter="coffee").count() == 3


def test_the_counter_columns_line_up_on_every_row(phone, assistant):
    ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )
    phone.login(assistant.username)
    page = phone.page
    for selector in ('[data-tap][data-delta="-1"]', ".counter-value", '[data-tap][data-delta="1"]'):
        boxes = [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]
        assert len(boxes) == len(Shift.COUNTERS)
        assert len({(round(b["x"]), round(b["width"])) for b in boxes}) == 1, selector
        assert all(b["height"] >= 44 and b["width"] >= 44 for b in boxes if selector != ".counter-value")
