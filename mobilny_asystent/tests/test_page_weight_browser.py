"""Page weights in production mode (DEBUG off, compressed static files, gunicorn), as bytes the phone's
browser received: the duty screen cold and on a repeat visit, and the residents' pages cold."""

import pytest
from django.utils import timezone

from conftest import PASSWORD
from duty.models import Shift
from duty.tests.factories import NeedFactory, ShiftFactory
from needs.tests.factories import report
from scripts.pageweight import BUDGETS, measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_ONLY = ("htmx", "bootstrap.bundle", "sw-register", "offline-queue", "manifest", "duty/shift.js")


def listing(load):
    return "\n".join(f"{size:>7} {url}" for url, size in load.requests)


def test_the_duty_screen_stays_within_its_budgets(browser, production_server, assistant):
    for n in range(12):
        NeedFactory.create(code=f"need_{n}", name=f"Potrzeba {n}")
    ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )
    cold, repeat = measure(browser, production_server, "/dyzur/", user=(assistant.username, PASSWORD))
    assert any("/dyzur/" in url for url, _ in cold.requests)
    assert cold.total <= BUDGETS["duty_cold"], f"cold {cold.total} bytes:\n{listing(cold)}"
    assert repeat.total <= BUDGETS["duty_repeat"], f"repeat {repeat.total} bytes:\n{listing(repeat)}"


@pytest.mark.parametrize("path", ["/z/", "/klub/", "/dostepnosc/"])
def test_a_residents_page_loads_cold_within_the_public_budget_with_none_of_the_staffs_scripts(
    browser, production_server, path
):
    report()
    cold, _repeat = measure(browser, production_server, path)
    sent = listing(cold)
    assert cold.total <= BUDGETS["public_cold"], f"{cold.total} bytes:\n{sent}"
    assert not any(name in sent for name in STAFF_ONLY), sent
