"""Property-based fuzzing of the whole JSON API from its OpenAPI document (schemathesis).

Every operation is called with generated parameters and bodies, as a coordinator and as an
assistant, with a fixed seed and a bounded number of cases. No answer may be a server error,
every status code must be documented, and every body must match its documented schema.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from club.tests.factories import make_activity
from conftest import make_user
from core.models import ApiToken
from core.roles import ASSISTANT, COORDINATOR
from duty.tests.factories import NeedFactory, NoteFactory, ShiftFactory
from mobilny_asystent.wsgi import application
from needs.tests.factories import report

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Examples per operation and role: about 20 operations × 2 roles stays within a few minutes.
MAX_EXAMPLES = 10
SEED = 20261204


@pytest.fixture(autouse=True)
def wsgi_keeps_the_test_connection() -> Iterator[None]:
    """Requests go straight to the WSGI application, inside the test's transaction: the end of a
    request must not close the database connection (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Read from the running application, as a client would; drawing it touches no table.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def world(db: None) -> dict[str, str]:
    """Rows for ids the fuzzer may hit (a shift, a note, a problem, a need, a club session) and a
    token per role."""
    assistant = make_user("fuzz_asystent", ASSISTANT)
    coordinator = make_user("fuzz_koordynator", COORDINATOR, is_staff=True)
    NeedFactory.create(code="food")
    shift = ShiftFactory.create(assistants=[assistant])
    NoteFactory.create(shift=shift)
    report(place=shift.place)
    make_activity()
    return {
        role: ApiToken.issue(name=f"fuzz {role}", user=user)[1]
        for role, user in ((ASSISTANT, assistant), (COORDINATOR, coordinator))
    }


def headers(token: str) -> dict[str, str]:
    # The WSGI test transport does not decompress; the app gzips whatever the client accepts.
    return {"Authorization": f"Token {token}", "Accept-Encoding": "identity"}


bounded = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@seed(SEED)
@bounded
def test_the_api_answers_a_coordinator_as_documented(case: Any, world: dict[str, str]) -> None:
    case.call_and_validate(headers=headers(world[COORDINATOR]), checks=CHECKS)


@schema.parametrize()
@seed(SEED)
@bounded
def test_the_api_answers_an_assistant_as_documented(case: Any, world: dict[str, str]) -> None:
    case.call_and_validate(headers=headers(world[ASSISTANT]), checks=CHECKS)
