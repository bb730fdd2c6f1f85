"""WCAG 2.1 A/AA (and target size) on every phone, public and coordinator page, checked by axe-core
in a real browser at 390×844, and tap targets of at least 44×44 CSS px where people tap."""

from datetime import time, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from club.tests.factories import make_activity
from duty.models import Shift
from duty.tests.factories import NeedFactory, NoteFactory, ShiftFactory
from needs.tests.factories import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}

# Everything a thumb taps, measured as the browser lays it out. A checkbox counts with its row (the
# label is part of the target); a chip's hidden input is represented by its label; links inside
# running text are exempt (WCAG 2.5.5 "inline").
SMALL_TARGETS = """() => {
  const found = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  for (const el of document.querySelectorAll(selector)) {
    if (el.matches('.btn-check')) continue;
    if (el.closest('[hidden], .visually-hidden-focusable')) continue;
    const target = el.matches('.form-check-input') ? (el.closest('.form-check') || el) : el;
    const style = getComputedStyle(target);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') {
      const block = el.closest('p, li, td, dd, .form-text');
      if (block && block.textContent.trim().length > el.textContent.trim().length + 10) continue;
    }
    if (box.width < 43.5 || box.height < 43.5) {
      const name = (el.getAttribute('aria-label') || el.textContent || el.value || el.name || '').trim();
      found.push(`${el.tagName.toLowerCase()} "${name.slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return found;
}"""

# Running text: nothing a person reads in a paragraph, a label or a list is under 16 px; a button's
# label (a segment of four or five on one row) not under 15 px.
SMALL_TEXT = """() => {
  const found = [];
  for (const el of document.querySelectorAll('body, p, label, li, dd, dt, td, .form-text, .btn, input, select, textarea')) {
    if (!el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < (el.matches('.btn') ? 14.9 : 15.9)) found.push(`${el.tagName.toLowerCase()}.${el.className} ${size}px`);
  }
  return found.slice(0, 10);
}"""


def audit(phone, path, *, targets=True):
    """axe's violations and the small targets and text of one page, as readable lines."""
    response = phone.goto(path)
    assert response.status < 400, f"{path}: {response.status}"
    page = phone.page
    page.wait_for_load_state("load")
    results = Axe().run(page, options=AXE_OPTIONS).response
    problems = [
        f"{path}: {v['id']} ({v['impact']}): " + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in results["violations"]
    ]
    if targets:
        problems += [f"{path}: small target {t}" for t in page.evaluate(SMALL_TARGETS)]
    problems += [f"{path}: small text {t}" for t in page.evaluate(SMALL_TEXT)]
    name = path.strip("/").replace("/", "-") or "home"
    phone.screenshot(f"a11y-{name}")
    return problems


def test_the_assistants_phone_pages_pass_axe_with_big_targets(phone_factory, assistant):
    for n in range(9):
        NeedFactory.create(code=f"need_{n}", name=f"Potrzeba {n}", order=n)
    shift = ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )
    NoteFactory.create(shift=shift, place=shift.place, text="Pani pyta o zajęcia dla wnuczki")
    phone = phone_factory(bypass_csp=True)
    phone.login(assistant.username)
    problems = []
    for path in ("/dyzur/", "/dyzur/?notatka=1", "/dyzur/skrzynka/", f"/dyzur/{shift.pk}/", "/dyzur/dyzury/"):
        problems += audit(phone, path)
    shift.status = Shift.Status.ENDED
    shift.save(update_fields=["status"])
    problems += audit(phone, "/dyzur/")  # the idle screen: next shift and a start here and now
    assert not problems, "\n".join(problems)


def test_the_public_pages_pass_axe_with_big_targets(phone_factory, club_staff):
    problem = report()
    activity = make_activity(title="Szachy", starts_on=timezone.localdate() + timedelta(days=1))
    cancelled = make_activity(title="Plastyka", starts_on=timezone.localdate() + timedelta(days=2)).sessions.get()
    from club import services

    services.session_cancel(session=cancelled, reason="Prowadząca chora")
    assert activity.sessions.exists()
    phone = phone_factory(bypass_csp=True)
    problems = []
    for path in ("/z/", f"/z/{problem.code}/", "/klub/", "/klub/plakat/", "/dostepnosc/", "/uslugi/", "/konto/login/"):
        problems += audit(phone, path)
    assert not problems, "\n".join(problems)


def test_the_coordinators_and_club_pages_pass_axe(phone_factory, coordinator, club_staff, assistant):
    start = timezone.now() + timedelta(days=2)
    shift = ShiftFactory.create(assistants=[assistant], planned_start=start, planned_end=start + timedelta(hours=2))
    day = timezone.localdate() + timedelta(days=3)
    activity = make_activity(title="Origami", starts_on=day, start_time=time(17), end_time=time(18))
    session = activity.sessions.get()
    report()
    problems = []
    coordinator_phone = phone_factory(bypass_csp=True)
    coordinator_phone.login(coordinator.username)
    for path in (
        "/koordynator/",
        "/dyzur/tydzien/",
        f"/dyzur/{shift.pk}/edytuj/",
        "/problemy/",
        "/powiadomienia/",
        "/wiazki/",
    ):
        problems += audit(coordinator_phone, path, targets=False)
    club_phone = phone_factory(bypass_csp=True)
    club_phone.login(club_staff.username)
    for path in (
        "/klub/zespol/",
        "/klub/zespol/sale/",
        "/klub/zespol/zajecia/nowe/",
        f"/klub/zespol/zajecia/{activity.pk}/",
        f"/klub/zespol/termin/{session.pk}/frekwencja/",
        f"/klub/zespol/termin/{session.pk}/przenies/",
    ):
        problems += audit(club_phone, path)
    assert not problems, "\n".join(problems)
