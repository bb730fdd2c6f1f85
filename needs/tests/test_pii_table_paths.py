"""Open311 POST and the problem import refuse every disguised identifier of the table."""

import pytest
import tablib

from core.tests.pii_table import DISGUISED, ORDINARY
from needs.models import Open311Key, Problem
from needs.resources import ProblemResource
from needs.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_open311_post_refuses_every_disguise_and_takes_every_ordinary_text(anon_client):
    CategoryFactory.create()
    Open311Key.issue(name="Miasto", raw="k-123")
    base = {"service_code": "lighting", "lat": "50.1", "long": "18.5", "api_key": "k-123"}

    def post(text):
        return anon_client.post("/open311/v2/requests.json", {**base, "description": text}).status_code

    assert [text for text, _kind in DISGUISED if post(text) != 400] == []
    assert not Problem.objects.exists()
    assert [text for text in ORDINARY if post(text) != 201] == []
    assert Problem.objects.count() == len(ORDINARY)


def test_the_import_refuses_every_disguised_row_and_imports_every_ordinary_one():
    CategoryFactory.create()
    data = tablib.Dataset(
        headers=["code", "category", "place", "location", "description", "source", "status", "feedback", "reported_at"]
    )
    for text, _kind in DISGUISED:
        data.append(["", "lighting", "", "", text, "contact_box", "", "", ""])
    for text in ORDINARY:
        data.append(["", "lighting", "", "", text, "contact_box", "", "", ""])
    result = ProblemResource().import_data(data, dry_run=False, raise_errors=False)
    assert len(result.invalid_rows) == len(DISGUISED)
    assert sorted(Problem.objects.values_list("description", flat=True)) == sorted(ORDINARY)
