"""GeoReport v2 in both formats, errors as GeoReport documents, jurisdiction_id, paged lists."""

from xml.etree import ElementTree as ET

import pytest
from django.test import override_settings

from needs import services
from needs.models import Open311Key, Problem
from needs.tests.factories import report

pytestmark = pytest.mark.django_db
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def xml(response):
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    assert response.content.startswith(b"<?xml")
    return ET.fromstring(response.content)  # noqa: S314 — our own answer in a test


def test_every_endpoint_answers_in_xml_and_json(anon_client):
    problem = report()
    for path, root, item in [
        ("discovery", "discovery", None),
        ("services", "services", "service"),
        ("services/lighting", "service_definition", None),
        ("requests", "service_requests", "request"),
        (f"requests/{problem.code}", "service_requests", "request"),
    ]:
        as_json = anon_client.get(f"/open311/v2/{path}.json")
        assert as_json.status_code == 200 and as_json["Content-Type"] == "application/json", path
        as_json.json()
        document = xml(anon_client.get(f"/open311/v2/{path}.xml"))
        assert document.tag == root, path
        if item:
            assert len(document) >= 1 and all(child.tag == item for child in document), path

    [request] = xml(anon_client.get(f"/open311/v2/requests/{problem.code}.xml"))
    assert {child.tag for child in request} == REQUEST_FIELDS
    assert request.findtext("service_request_id") == problem.code and request.findtext("status") == "open"
    assert request.findtext("description") == "Oświetlenie"  # no public summary yet: the category only
    services_ = xml(anon_client.get("/open311/v2/services.xml"))
    lighting = next(s for s in services_ if s.findtext("service_code") == "lighting")
    assert lighting.findtext("service_name") == "Oświetlenie" and lighting.findtext("metadata") == "false"
    definition = xml(anon_client.get("/open311/v2/services/lighting.xml"))
    assert definition.findtext("service_code") == "lighting" and definition.find("attributes") is not None


@override_settings(OPEN311_JURISDICTION_ID="piaski.example.org")
def test_discovery_lists_the_jurisdiction_and_formats(anon_client):
    discovery = anon_client.get("/open311/v2/discovery.json").json()
    assert discovery["jurisdiction_id"] == "piaski.example.org"
    [endpoint] = discovery["endpoints"]
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    document = xml(anon_client.get("/open311/v2/discovery.xml"))
    assert document.findtext("jurisdiction_id") == "piaski.example.org"
    assert [f.text for f in document.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


@override_settings(OPEN311_JURISDICTION_ID="piaski.example.org")
def test_it_checks_the_jurisdiction_on_every_call(anon_client):
    Open311Key.issue(name="Miasto", raw="k-123")
    ok = anon_client.get("/open311/v2/services.json?jurisdiction_id=piaski.example.org")
    assert ok.status_code == 200
    wrong = anon_client.get("/open311/v2/services.json?jurisdiction_id=elsewhere.example.org")
    assert wrong.status_code == 400 and "jurisdiction_id" in wrong.json()[0]["description"]
    wrong_xml = xml(anon_client.get("/open311/v2/requests.xml?jurisdiction_id=elsewhere"))
    assert wrong_xml.tag == "errors" and wrong_xml.findtext("error/code") == "400"
    body = {
        "api_key": "k-123",
        "jurisdiction_id": "elsewhere",
        "service_code": "lighting",
        "description": "Nie świeci",
        "address_string": "ul. Kolejowa",
    }
    assert anon_client.post("/open311/v2/requests.json", body).status_code == 400
    assert not Problem.objects.exists()
    created = anon_client.post("/open311/v2/requests.xml", {**body, "jurisdiction_id": "piaski.example.org"})
    assert created.status_code == 201
    [request] = xml(created)
    assert request.findtext("service_request_id") == Problem.objects.get().code


def test_errors_are_georeport_documents_in_the_requested_format(anon_client):
    for url, status in [
        ("/open311/v2/services/nope.xml", 404),
        ("/open311/v2/requests/NOPE234.xml", 404),
        ("/open311/v2/requests.xml?status=maybe", 400),
        ("/open311/v2/requests.xml?page=0", 400),
        ("/open311/v2/requests.xml?page_size=many", 400),
        ("/open311/v2/nothing-here.xml", 404),
        ("/open311/v2/services.csv", 404),
    ]:
        response = anon_client.get(url)
        assert response.status_code == status, url
        document = xml(response)
        assert document.tag == "errors" and document.findtext("error/code") == str(status), url
        assert document.findtext("error/description"), url
    as_json = anon_client.get("/open311/v2/nothing-here.json")
    assert as_json.status_code == 404 and as_json.json()[0]["code"] == 404
    refused = anon_client.post("/open311/v2/requests.xml", {"api_key": "wrong"})
    assert refused.status_code == 403 and xml(refused).findtext("error/code") == "403"
    assert anon_client.put("/open311/v2/requests.json").json()[0]["code"] == 405


def test_it_answers_a_failure_with_an_error_document_not_a_page(anon_client, monkeypatch):
    from needs import open311

    def broken(problem):
        raise RuntimeError("a bug")

    report()
    monkeypatch.setattr(open311, "_request", broken)
    response = anon_client.get("/open311/v2/requests.xml")
    assert response.status_code == 500 and xml(response).findtext("error/code") == "500"
    assert anon_client.get("/open311/v2/requests.json").json()[0]["code"] == 500


def test_request_lists_are_paged(anon_client, django_assert_max_num_queries):
    problems = [report() for _ in range(7)]
    newest_first = [p.code for p in reversed(problems)]

    with django_assert_max_num_queries(6):
        first = anon_client.get("/open311/v2/requests.json?page_size=3")
    assert [r["service_request_id"] for r in first.json()] == newest_first[:3]
    assert 'rel="next"' in first["Link"] and "page=2" in first["Link"]
    third = anon_client.get("/open311/v2/requests.json?page_size=3&page=3")
    assert [r["service_request_id"] for r in third.json()] == newest_first[6:]
    assert "Link" not in third
    beyond = anon_client.get("/open311/v2/requests.xml?page_size=3&page=9")
    assert beyond.status_code == 200 and len(xml(beyond)) == 0
    huge = anon_client.get("/open311/v2/requests.json?page_size=100000")
    assert len(huge.json()) == 7  # capped, not refused


def test_the_page_size_is_capped(anon_client, monkeypatch):
    from needs import open311

    monkeypatch.setattr(open311, "MAX_PAGE_SIZE", 2)
    for _ in range(3):
        report()
    response = anon_client.get("/open311/v2/requests.json?page_size=50")
    assert len(response.json()) == 2 and "page_size=2" in response["Link"]


def test_the_public_rules_hold_in_xml(anon_client, coordinator):
    from needs.models import ProblemCategory
    from needs.tests.factories import CategoryFactory

    hidden = report(category=CategoryFactory.create(code="safety"), description="Ciemna alejka, boją się")
    assert ProblemCategory.objects.get(code="safety").never_public
    shown = report(description="Lampa: mieszka tam pani Kowalska")
    services.problem_set_public_summary(problem=shown, text="Nie świeci lampa przy wejściu", by=coordinator)
    body = anon_client.get("/open311/v2/requests.xml").content.decode()
    assert hidden.code not in body and "Kowalska" not in body
    assert "Nie świeci lampa przy wejściu" in body
