"""The duty screen with no connection: nothing typed is lost, nothing arrives twice."""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duty.models import ConversationNote, Shift
from duty.tests.factories import NeedFactory, ShiftFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PENDING = "[data-ma-pending]"


@pytest.fixture
def phone(phone_factory):
    # These tests run JavaScript functions in the page (IndexedDB, the queue), which Playwright
    # rebuilds with eval: the page's script policy is bypassed for them only.
    return phone_factory(bypass_csp=True)


@pytest.fixture
def live_shift(assistant):
    NeedFactory.create(code="childcare", name="Opieka nad dziećmi")
    return ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )


def poll(page, script, timeout=15.0):
    """Wait until script (which may return a Promise, unlike wait_for_function's) is truthy."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        page.wait_for_timeout(100)


KEPT_PAGE = "caches.open('ma-pages-v1').then(cache => cache.match('/dyzur/'))"


def open_duty_screen(phone, user):
    phone.login(user.username)
    page = phone.page
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the service worker controls the page
    page.wait_for_function("!!navigator.serviceWorker.controller")
    poll(page, f"{KEPT_PAGE}.then(response => !!response)")
    return page


def queue_empty(page):
    poll(page, "MAQueue.items().then(items => items.length === 0)")


def write_note(page, text):
    before = page.evaluate("MAQueue.items().then(items => items.length)")
    drafts = page.evaluate("MAQueue.drafts().length")
    page.get_by_role("button", name="+ notatka").click()
    page.locator("#note-form-box.show textarea[name=text]").fill(text)
    page.get_by_role("button", name="Zapisz notatkę").click()
    poll(page, f"MAQueue.items().then(items => items.length > {before} || MAQueue.drafts().length > {drafts})")


def count_posts(context, pattern):
    """The status of every POST to pattern, as the server answered it."""
    statuses = []

    def handle(route):
        response = route.fetch()
        statuses.append(response.status)
        route.fulfill(response=response)

    context.route(pattern, handle)
    return statuses


def answer_dialog(page, seen: list[str], *, accept: bool, every: bool = False) -> None:
    def handle(dialog):
        seen.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    (page.on if every else page.once)("dialog", handle)


def pending(page):
    locator = page.locator(PENDING)
    return int(locator.get_attribute("data-ma-pending")) if locator.count() else 0


def tap(page, counter, times):
    plus = page.locator(f'[data-tap][data-counter="{counter}"][data-delta="1"]')
    for _ in range(times):
        plus.click()


def test_taps_and_notes_survive_an_offline_reload_and_arrive_once(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    phone.context.set_offline(True)
    tap(page, "coffee", 3)
    write_note(page, "Pierwsza rozmowa o podwórku")
    write_note(page, "Druga rozmowa o zajęciach")
    page.wait_for_function(f"document.querySelector('{PENDING}')?.dataset.maPending === '5'")
    assert "niewysłane: 5" in page.locator("[data-ma-outbox]").inner_text()
    assert page.locator('[data-ma-online="0"]').inner_text() == "offline"

    page.reload()  # still offline: the service worker serves the kept page, the queue is in IndexedDB
    page.wait_for_function(f"document.querySelector('{PENDING}')?.dataset.maPending === '5'")
    # The page reads the queue for its counters and notes on its own, after the pending badge.
    expect(page.locator('[data-counter-value="coffee"]')).to_have_text("3")
    expect(page.locator("[data-notes-list] .note-pending")).to_have_count(2)
    tap(page, "coffee", 2)  # and the reloaded page still queues
    write_note(page, "Trzecia rozmowa o lampie")
    page.wait_for_function(f"document.querySelector('{PENDING}')?.dataset.maPending === '8'")
    assert page.locator('[data-counter-value="coffee"]').inner_text() == "5"
    queued = page.evaluate("MAQueue.items()")
    assert [i["kind"] for i in queued] == ["counter"] * 3 + ["note"] * 2 + ["counter"] * 2 + ["note"]
    phone.screenshot("offline-queue-pending")
    assert ConversationNote.objects.count() == 0

    phone.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(f"!document.querySelector('{PENDING}')", timeout=15000)
    live_shift.refresh_from_db()
    assert ConversationNote.objects.count() == 3
    assert live_shift.coffee == 5

    # A second sync of the very same items (a lost answer, a second tab...) changes nothing.
    page.evaluate(
        """items => new Promise(resolve => {
            const req = indexedDB.open('ma-offline', 1);
            req.onsuccess = () => {
              const tx = req.result.transaction('outbox', 'readwrite');
              items.forEach(item => { delete item.seq; tx.objectStore('outbox').add(item); });
              tx.oncomplete = () => { req.result.close(); resolve(); };
            };
        })""",
        queued,
    )
    page.evaluate("MAQueue.flush()")  # resolves once the queue has been worked through
    queue_empty(page)
    live_shift.refresh_from_db()
    assert ConversationNote.objects.count() == 3
    assert live_shift.coffee == 5
    phone.screenshot("offline-queue-synced")
    assert phone.external_requests == []


def test_a_queued_note_with_a_pesel_comes_back_as_an_editable_draft(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    phone.context.set_offline(True)
    write_note(page, "Pan z PESEL 02070803628 prosi o pomoc z remontem")
    page.wait_for_selector(PENDING)
    phone.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    errors = page.locator('[data-field-error="text"]')
    page.wait_for_function("document.querySelector('[data-field-error=text]').textContent.includes('PESEL')")
    assert "PESEL" in errors.inner_text()
    assert page.input_value("textarea[name=text]") == "Pan z PESEL 02070803628 prosi o pomoc z remontem"
    assert "PESEL" in page.locator("[data-ma-outbox] .outbox-draft").inner_text()
    phone.screenshot("offline-queue-refused-draft")
    assert ConversationNote.objects.count() == 0


def test_a_refused_note_never_overwrites_the_note_being_typed(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    phone.context.set_offline(True)
    write_note(page, "Sąsiad podał PESEL 02070803628 przy kawie")
    page.get_by_role("button", name="+ notatka").click()
    typing = "Babcia z trzecim wnukiem pyta o świetlicę"
    page.locator("#note-form-box.show textarea[name=text]").fill(typing)
    phone.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("MAQueue.drafts().length === 1", timeout=15000)

    assert page.input_value("textarea[name=text]") == typing  # what is being typed stays
    expect(page.locator(".alert-warning[role=alert]")).to_contain_text("stuknij „Popraw”")
    card = page.locator("[data-ma-outbox] .outbox-draft")
    expect(card).to_contain_text("PESEL")
    expect(page.locator("[data-notes-list] .note-pending")).to_have_count(0)
    phone.screenshot("offline-queue-draft-waits")

    page.locator("[data-note-close]").click()  # the note sheet covers the page: the card is behind it
    card.get_by_role("button", name="Popraw").click()  # still busy: the form keeps its text
    assert page.input_value("textarea[name=text]") == typing
    page.get_by_role("button", name="+ notatka").click()
    page.get_by_role("button", name="Zapisz notatkę").click()
    queue_empty(page)
    assert list(ConversationNote.objects.values_list("text", flat=True)) == [typing]
    assert page.evaluate("MAQueue.drafts().length") == 1  # saving the other note did not replace the draft

    card.get_by_role("button", name="Popraw").click()  # the form is free now
    assert page.input_value("textarea[name=text]") == "Sąsiad podał PESEL 02070803628 przy kawie"
    page.fill("textarea[name=text]", "Sąsiad pyta o pomoc z wnioskiem")
    page.get_by_role("button", name="Zapisz notatkę").click()
    page.wait_for_function("MAQueue.drafts().length === 0")
    queue_empty(page)
    assert sorted(ConversationNote.objects.values_list("text", flat=True)) == [
        typing,
        "Sąsiad pyta o pomoc z wnioskiem",
    ]


def test_a_session_that_expired_offline_keeps_the_queue_until_the_next_login(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    phone.context.set_offline(True)
    write_note(page, "Rozmowa przed wygaśnięciem sesji")
    page.wait_for_selector(PENDING)
    phone.context.clear_cookies()  # the session ended while the phone had no signal
    posts = count_posts(phone.context, "**/api/v1/notes/")
    phone.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.get_by_text("Twoja sesja wygasła").wait_for(timeout=15000)
    assert pending(page) == 1
    assert ConversationNote.objects.count() == 0
    phone.login(assistant.username)
    phone.page.wait_for_function(f"!document.querySelector('{PENDING}')", timeout=15000)
    assert list(ConversationNote.objects.values_list("text", flat=True)) == ["Rozmowa przed wygaśnięciem sesji"]
    assert posts == [401, 201]  # refused once for the lost session, then sent once


def logout(page):
    page.locator(".navbar-toggler").click()
    page.locator("#main-nav.show").wait_for()  # the menu has finished opening
    page.get_by_role("button", name="Wyloguj się").click()


def test_logout_warns_about_unsent_items_then_clears_the_phone(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    assert "ma-pages-v1" in page.evaluate("caches.keys()")  # the kept duty page, with this user's notes
    page.route("**/api/v1/notes/", lambda route: route.abort())  # the network drops every note
    write_note(page, "Notatka, która nie dotarła")
    page.wait_for_selector(PENDING)
    messages: list[str] = []
    answer_dialog(page, messages, accept=False)
    logout(page)
    deadline = time.monotonic() + 10  # the page reads the queue from IndexedDB before it asks
    while not messages and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    if not messages:
        phone.screenshot("offline-logout-did-not-ask")
    assert messages, f"logging out with an unsent note did not ask: {page.url=} {phone.console_errors=}"
    page.wait_for_timeout(300)  # had the dismissal not stopped the logout, the page would be leaving now
    assert messages[0].startswith("Niewysłane wpisy: 1.") and "przepadną" in messages[0]
    assert pending(page) == 1  # nothing was thrown away
    assert "/dyzur/" in page.url

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Wyloguj się").click()
    page.wait_for_url("**/konto/login/")
    names = page.evaluate("indexedDB.databases().then(dbs => dbs.map(d => d.name))")
    assert "ma-offline" not in names
    assert not [k for k in page.evaluate("caches.keys()") if k.startswith("ma-pages")]


def test_logout_with_nothing_unsent_does_not_ask(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    asked: list[str] = []
    answer_dialog(page, asked, accept=True, every=True)
    logout(page)
    page.wait_for_url("**/konto/login/")
    assert asked == []


def test_an_offline_reload_shows_what_was_already_sent(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    tap(page, "coffee", 2)
    queue_empty(page)
    # Delivered: the service worker refreshes its copy of the page.
    poll(page, f'{KEPT_PAGE}.then(r => r.text()).then(html => /data-counter-value="coffee"[^>]*>2</.test(html))')
    phone.context.set_offline(True)
    page.reload()
    assert page.locator('[data-counter-value="coffee"]').inner_text() == "2"
    assert pending(page) == 0


def test_a_draft_can_be_corrected_and_sent_or_discarded(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    phone.context.set_offline(True)
    write_note(page, "Kontakt: jan.kowalski@example.com, pyta o zajęcia")
    write_note(page, "Numer 02070803628 do usunięcia")
    phone.context.set_offline(False)
    page.evaluate("MAQueue.flush()")
    page.wait_for_function("MAQueue.drafts().length === 2", timeout=15000)

    page.reload()  # the drafts stay on the phone, the form is empty again
    drafts = page.locator("[data-ma-outbox] .outbox-draft")
    drafts.first.wait_for()
    assert drafts.count() == 2
    assert "e-mail" in drafts.first.inner_text().lower()
    assert page.input_value("textarea[name=text]") == ""

    drafts.first.get_by_role("button", name="Popraw").click()
    assert page.input_value("textarea[name=text]") == "Kontakt: jan.kowalski@example.com, pyta o zajęcia"
    page.fill("textarea[name=text]", "Mama dwójki dzieci pyta o zajęcia")
    page.get_by_role("button", name="Zapisz notatkę").click()
    page.wait_for_function("MAQueue.drafts().length === 1")  # the corrected note replaced its draft
    queue_empty(page)
    assert list(ConversationNote.objects.values_list("text", flat=True)) == ["Mama dwójki dzieci pyta o zajęcia"]

    asked: list[str] = []
    answer_dialog(page, asked, accept=True)
    drafts.first.get_by_role("button", name="Odrzuć").click()
    page.wait_for_function("MAQueue.drafts().length === 0")
    assert asked == ["Usunąć ten wpis na dobre?"]
    assert drafts.count() == 0
    assert ConversationNote.objects.count() == 1


def test_a_server_error_is_retried_with_backoff_without_any_trigger(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    answers: list[int] = []

    def flaky(route):
        if not answers:
            answers.append(503)
            route.fulfill(status=503, body="")
        else:
            response = route.fetch()
            answers.append(response.status)
            route.fulfill(response=response)

    phone.context.route("**/api/v1/notes/", flaky)
    page.evaluate(
        "window.seen = []; ['ma:offline', 'ma:sent'].forEach(n => document.addEventListener(n, () => seen.push(n)))"
    )
    write_note(page, "Rozmowa w czasie awarii serwera")
    page.wait_for_function("seen.includes('ma:offline')")
    page.locator('[data-ma-online="0"]').wait_for()  # shown as offline while the server is down
    assert "ma:sent" not in page.evaluate("seen")
    page.wait_for_function("seen.includes('ma:sent')", timeout=10000)  # the first retry is due after 1.5-2.5 s
    assert answers == [503, 201]
    assert ConversationNote.objects.count() == 1
    # "ma:sent" fires before the panel is drawn again from IndexedDB.
    expect(page.locator("[data-ma-online]")).to_have_attribute("data-ma-online", "1")


def test_a_conflict_is_shown_and_never_retried(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    calls = []

    def conflict(route):
        calls.append(route.request.post_data_json["client_uuid"])
        route.fulfill(status=409, json={"detail": "Ten identyfikator ma już inną notatkę."})

    phone.context.route("**/api/v1/notes/", conflict)
    page.evaluate("window.seen = []; document.addEventListener('ma:conflict', e => seen.push(e.detail.status))")
    write_note(page, "Notatka w konflikcie")
    page.wait_for_function("seen.length === 1")
    page.evaluate("MAQueue.flush()")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(3000)
    assert len(calls) == 1
    draft = page.locator("[data-ma-outbox] .outbox-draft")
    assert "Konflikt" in draft.inner_text() and "inną notatkę" in draft.inner_text()
    assert page.evaluate("MAQueue.pending()") == 0


def test_two_tabs_send_each_item_once(phone, assistant, live_shift):
    first = open_duty_screen(phone, assistant)
    second = phone.context.new_page()
    second.goto(phone.base_url + "/dyzur/")
    phone.context.set_offline(True)
    for text in ("Pierwsza z dwóch kart", "Druga z dwóch kart", "Trzecia z dwóch kart"):
        write_note(first, text)
    statuses = count_posts(phone.context, "**/api/v1/notes/")
    phone.context.set_offline(False)  # both tabs hear "online" and try to send at the same moment
    for page in (first, second):
        page.evaluate("window.dispatchEvent(new Event('online'))")
    queue_empty(first)
    second.wait_for_timeout(500)
    assert statuses == [201, 201, 201]
    assert ConversationNote.objects.count() == 3


def test_the_installed_app_opens_offline_on_the_duty_screen(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    phone.context.set_offline(True)
    page.goto(phone.base_url + "/")  # the manifest's start_url
    assert page.get_by_role("heading", name="Mój dyżur").is_visible()
    assert page.locator('.live-shift[data-shift-status="started"]').count() == 1


def test_other_pages_fall_back_to_the_offline_page(phone, assistant, live_shift):
    page = open_duty_screen(phone, assistant)
    phone.context.set_offline(True)
    page.goto(phone.base_url + "/dyzur/dyzury/")
    assert page.get_by_role("heading", name="Brak połączenia").is_visible()
    assert not phone.has_horizontal_scroll()
    phone.screenshot("offline-page")
    page.get_by_role("link", name="Przejdź do mojego dyżuru").click()
    page.locator("[data-ma-outbox]").wait_for()
    assert page.get_by_role("heading", name="Mój dyżur").is_visible()


def test_the_app_is_installable_in_chromium(browser, live_server, assistant, tmp_path):
    from conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, PHONE

    # Chromium never offers to install from a private window, which Playwright's contexts are.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport=PHONE
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + "/konto/login/")
        page.fill("#id_username", assistant.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
    finally:
        context.close()


def test_a_whole_shift_worked_offline_starts_counts_and_ends_once(phone, assistant):
    shift = ShiftFactory.create(assistants=[assistant], status=Shift.Status.PLANNED, planned_start=timezone.now())
    page = open_duty_screen(phone, assistant)
    phone.context.set_offline(True)
    page.get_by_role("button", name="Rozpocznij dyżur").click()
    page.wait_for_selector('.live-shift[data-shift-status="started"]')
    tap(page, "children", 2)
    page.locator("textarea[name=summary]").fill("Dużo dzieci po szkole, zimno")
    page.get_by_role("button", name="Zakończ dyżur").click()
    page.wait_for_selector('.live-shift[data-shift-status="ended"]')
    assert [i["kind"] for i in page.evaluate("MAQueue.items()")] == ["start", "counter", "counter", "end"]
    shift.refresh_from_db()
    assert shift.status == Shift.Status.PLANNED  # nothing reached the server yet

    phone.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    queue_empty(page)
    shift.refresh_from_db()
    assert (shift.status, shift.children, shift.summary) == (Shift.Status.ENDED, 2, "Dużo dzieci po szkole, zimno")
    assert shift.started_at is not None and shift.ended_at is not None
