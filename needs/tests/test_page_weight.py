"""A resident's phone downloads little: the report status page within its budget, in production mode."""

import pytest

from needs.tests.factories import report
from scripts.pageweight import BUDGETS, measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_loads_a_reports_status_page_cold_within_the_public_budget(browser, production_server):
    problem = report()
    cold, repeat = measure(browser, production_server, f"/z/{problem.code}/")
    sent = "\n".join(f"{size:>7} {url}" for url, size in cold.requests)
    assert problem.code in sent
    assert cold.total <= BUDGETS["public_cold"], f"{cold.total} bytes:\n{sent}"
    assert not any(name in sent for name in ("htmx", "bootstrap", "sw-register", "offline-queue", "manifest"))
    assert repeat.total < cold.total
