"""Hypothesis over the residents' public pages and Open311 reads: any query string, never a 5xx."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from needs.tests.factories import report

pytestmark = pytest.mark.django_db

PATHS = [
    "/z/",
    "/klub/",
    "/klub/kalendarz.ics",
    "/klub/plakat/",
    "/open311/v2/requests.json",
    "/open311/v2/services.json",
]
PARAMS = ["od", "tydzien", "code", "start_date", "end_date", "status", "service_code", "page", "page_size", "limit"]
values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "nan", "1e400", "-1", "99999999999999999999999"]),
)


@seed(20261204)
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(PATHS), query=st.dictionaries(st.sampled_from(PARAMS), values, max_size=3))
def test_public_pages_never_answer_5xx(path, query):
    from core import ratelimit

    ratelimit.reset()
    response = Client().get(path, query)
    assert response.status_code < 500, (path, query)


@seed(20261204)
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(code=st.text(min_size=1, max_size=30).filter(lambda c: "/" not in c and "?" not in c and "#" not in c))
def test_a_public_status_code_of_any_text_is_never_a_5xx(code):
    from core import ratelimit

    ratelimit.reset()
    assert Client().get(f"/z/{code}/").status_code < 500
    assert Client().get(f"/open311/v2/requests/{code}.json").status_code < 500


def test_a_known_code_still_opens(anon_client):
    problem = report()
    assert anon_client.get(f"/z/{problem.code}/").status_code == 200
