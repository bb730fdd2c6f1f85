import re
import uuid
from datetime import timedelta

import pytest
import tablib
from django.urls import reverse
from django.utils import timezone

from duty.tests.factories import NoteFactory, PlaceFactory, ShiftFactory
from needs import services
from needs.models import Open311Key, Problem, ProblemCategory
from needs.resources import ProblemResource
from needs.tests.factories import CategoryFactory, InstitutionFactory, report

pytestmark = pytest.mark.django_db
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def test_the_api_creates_a_problem_idempotently(assistant_client, assistant):
    CategoryFactory.create()
    note = NoteFactory.create(shift=ShiftFactory.create(assistants=[assistant]))
    body = {
        "client_uuid": str(uuid.uuid4()),
        "category": "lighting",
        "description": "Ciemno na podwórku",
        "note": note.pk,
    }
    first = assistant_client.post("/api/v1/problems/", body, content_type="application/json")
    assert first.status_code == 201 and len(first.json()["code"]) == 7
    assert first.json()["place"] == note.place_id
    again = assistant_client.post("/api/v1/problems/", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["code"] == first.json()["code"]
    other = {**body, "description": "Coś innego"}
    assert assistant_client.post("/api/v1/problems/", other, content_type="application/json").status_code == 409
    detail = assistant_client.get(f"/api/v1/problems/{first.json()['code']}/").json()
    assert detail["status"] == "new" and detail["timeline"][0]["public_text"]


def test_the_api_pii_guard_answers_on_description(assistant_client):
    CategoryFactory.create()
    body = {"client_uuid": str(uuid.uuid4()), "category": "lighting", "description": "pisać na ola@wp.pl"}
    response = assistant_client.post("/api/v1/problems/", body, content_type="application/json")
    assert response.status_code == 400 and list(response.json()) == ["description"]
    assert not Problem.objects.exists()


def test_the_api_hides_problems_of_other_places(assistant_client):
    problem = report(place=PlaceFactory.create())
    assert assistant_client.get(f"/api/v1/problems/{problem.code}/").status_code == 404
    assert assistant_client.get("/api/v1/problems/").json()["count"] == 0


def test_open311_services_and_definition(anon_client):
    ProblemCategory.objects.filter(code="lighting").update(description="Lampy")  # shipped with the app
    CategoryFactory.create(code="potholes", name="Dziury", active=False)
    services_ = {s["service_code"]: s for s in anon_client.get("/open311/v2/services.json").json()}
    assert "potholes" not in services_
    assert services_["lighting"] == {
        "service_code": "lighting",
        "service_name": "Oświetlenie",
        "description": "Lampy",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }
    assert anon_client.get("/open311/v2/services/lighting.json").json() == {
        "service_code": "lighting",
        "attributes": [],
    }
    missing = anon_client.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    discovery = anon_client.get("/open311/v2/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"


def test_open311_request_fields_and_types(anon_client, coordinator):
    place = PlaceFactory.create(name="Park Piaski", lat="50.093100", lon="18.529000")
    problem = report(place=place, location="przy stawie")
    services.problem_forward(
        problem=problem,
        institution=InstitutionFactory.create(name="Straż Miejska", answer_days=7),
        by=coordinator,
        internal_text="TAJNE",
    )
    [item] = anon_client.get(f"/open311/v2/requests/{problem.code}.json").json()
    assert set(item) == {
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
    assert item["service_request_id"] == problem.code and item["status"] == "open"
    assert item["agency_responsible"] == "Straż Miejska"
    assert "Straż Miejska" in item["status_notes"] and "TAJNE" not in str(item)
    assert ISO.match(item["requested_datetime"]) and ISO.match(item["expected_datetime"])
    assert item["expected_datetime"].startswith(str(timezone.localdate() + timedelta(days=7)))
    # The place's name: the location staff typed in words stays internal.
    assert item["lat"] == 50.0931 and item["long"] == 18.529 and item["address"] == "Park Piaski"
    services.problem_set_status(problem=problem, status="resolved", by=coordinator, public_text="Naprawione")
    [closed] = anon_client.get(f"/open311/v2/requests/{problem.code}.json").json()
    assert (
        closed["status"] == "closed" and closed["status_notes"] == "Naprawione" and closed["expected_datetime"] is None
    )


def test_open311_request_filters(anon_client, coordinator):
    CategoryFactory.create(code="greenery", name="Zieleń")
    a = report()
    b = report(category=CategoryFactory.create(code="greenery", name="Zieleń"))
    services.problem_set_status(problem=b, status="resolved", by=coordinator, public_text="OK")
    old = report()
    Problem.objects.filter(pk=old.pk).update(reported_at=timezone.now() - timedelta(days=200))

    def codes(query):
        return sorted(r["service_request_id"] for r in anon_client.get("/open311/v2/requests.json" + query).json())

    assert codes("") == sorted([a.code, b.code])  # the last 90 days by default
    assert codes("?status=open") == [a.code]
    assert codes("?status=closed") == [b.code]
    assert codes("?service_code=greenery") == [b.code]
    assert codes(f"?service_request_id={a.code},{old.code}") == sorted([a.code, old.code])
    start = (timezone.now() - timedelta(days=365)).isoformat()
    end = (timezone.now() - timedelta(days=100)).isoformat()
    assert codes(f"?start_date={start}&end_date={end}".replace("+", "%2B")) == [old.code]
    bad = anon_client.get("/open311/v2/requests.json?status=maybe")
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400


def test_open311_post_needs_a_key_and_passes_the_pii_guard(anon_client):
    CategoryFactory.create()
    Open311Key.issue(name="Miasto", raw="k-123")
    base = {"service_code": "lighting", "description": "Nie świeci latarnia", "lat": "50.1", "long": "18.5"}
    assert anon_client.post("/open311/v2/requests.json", {**base, "api_key": "zły"}).status_code == 403
    refused = anon_client.post(
        "/open311/v2/requests.json", {**base, "api_key": "k-123", "description": "dzwonić 601 234 567"}
    )
    assert refused.status_code == 400 and "telefonu" in refused.json()[0]["description"]
    created = anon_client.post(
        "/open311/v2/requests.json", {**base, "api_key": "k-123", "address_string": "ul. Kolejowa 5"}
    )
    assert created.status_code == 201
    [answer] = created.json()
    problem = Problem.objects.get(code=answer["service_request_id"])
    assert problem.status == "new" and problem.source == "open311" and problem.location == "ul. Kolejowa 5"
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}


def test_the_import_runs_rows_through_the_guard_and_the_service():
    CategoryFactory.create()
    PlaceFactory.create(name="Park Piaski")
    data = tablib.Dataset(
        headers=["code", "category", "place", "location", "description", "source", "status", "feedback", "reported_at"]
    )
    data.append(["", "lighting", "Park Piaski", "", "Ciemna alejka przy stawie", "contact_box", "", "", ""])
    data.append(["", "lighting", "Park Piaski", "", "Zgłasza Jan, PESEL 44051401359", "contact_box", "", "", ""])
    result = ProblemResource().import_data(data, dry_run=False, raise_errors=False)
    assert result.has_validation_errors()
    assert "PESEL" in str(result.invalid_rows[0].error_dict)
    problem = Problem.objects.get()
    assert len(problem.code) == 7 and problem.events.get().kind == "reported"


def test_the_admin_refuses_pii_in_a_new_problem(coordinator_client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    category = CategoryFactory.create()
    response = coordinator_client.post(
        "/admin/needs/problem/add/",
        {
            "category": category.pk,
            "description": "Kontakt: jan@wp.pl",
            "location": "",
            "source": "coordinator",
            "referrals-TOTAL_FORMS": 0,
            "referrals-INITIAL_FORMS": 0,
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200 and "adres e-mail" in response.content.decode()
    assert not Problem.objects.exists()


def test_admin_actions_forward_and_waive(coordinator_client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    problem = report()
    institution = InstitutionFactory.create(name="ZBM")
    url = "/admin/needs/problem/"
    page = coordinator_client.post(url, {"action": "forward", "_selected_action": [problem.pk]})
    assert "Przekaż do instytucji" in page.content.decode()
    coordinator_client.post(
        url,
        {
            "action": "forward",
            "_selected_action": [problem.pk],
            "apply": "1",
            "institution": institution.pk,
            "channel": "email",
            "internal_text": "",
        },
    )
    problem.refresh_from_db()
    assert problem.status == "forwarded" and problem.referrals.get().institution == institution
    coordinator_client.post(
        url, {"action": "waive_feedback", "_selected_action": [problem.pk], "apply": "1", "reason": "Brak mieszkańców"}
    )
    problem.refresh_from_db()
    assert problem.feedback == "waived"


def test_admin_actions_record_an_answer_and_mark_a_duplicate(coordinator_client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    problem, earlier = report(), report(description="Lampa przy trzepaku nie świeci od tygodnia")
    referral = services.problem_forward(
        problem=problem, institution=InstitutionFactory.create(), channel="email", by=coordinator
    )
    url = "/admin/needs/problem/"
    answer = {
        "action": "record_answer",
        "_selected_action": [problem.pk],
        "apply": "1",
        "referral": referral.pk,
        "outcome": "will_fix",
        "public_text": "Elektrownia wymieni lampę w przyszłym tygodniu.",
        "resolve": "",
    }
    refused = coordinator_client.post(url, {**answer, "answer": "Proszę dzwonić: 601 234 567"})
    assert "numer telefonu" in refused.content.decode()
    assert "Elektrownia wymieni lampę" in refused.content.decode()  # nothing typed is lost
    coordinator_client.post(url, {**answer, "answer": "Zlecono wymianę oprawy."})
    problem.refresh_from_db()
    referral.refresh_from_db()
    assert (problem.status, referral.outcome, referral.answer) == ("in_progress", "will_fix", "Zlecono wymianę oprawy.")

    coordinator_client.post(
        url, {"action": "mark_duplicate", "_selected_action": [problem.pk], "apply": "1", "code": earlier.code}
    )
    problem.refresh_from_db()
    assert problem.status == "duplicate"


def test_it_reads_a_comma_list_of_open311_statuses(anon_client, coordinator):
    open_, closed = report(), report()
    services.problem_set_status(problem=closed, status="resolved", by=coordinator, public_text="Gotowe")

    def codes(query):
        response = anon_client.get("/open311/v2/requests.json" + query)
        assert response.status_code == 200
        return sorted(r["service_request_id"] for r in response.json())

    assert codes("?status=open,closed") == sorted([open_.code, closed.code])
    assert codes("?status=closed") == [closed.code]
    assert anon_client.get("/open311/v2/requests.json?status=open,later").status_code == 400


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "nope"}, 404, "service_code"),
        ({"lat": "", "long": ""}, 400, "address_string"),
        ({"lat": "1000", "long": "18.5"}, 400, "-90"),
        ({"lat": "nan", "long": "18.5"}, 400, "-90"),
        ({"long": "wschód"}, 400, "-180"),
        ({"lat": "", "long": "", "address_string": "pisać na jan@wp.pl"}, 400, "e-mail"),
    ],
)
def test_it_answers_bad_open311_posts_with_georeport_errors(anon_client, change, status, words):
    CategoryFactory.create()
    Open311Key.issue(name="Miasto", raw="k-123")
    base = {"api_key": "k-123", "service_code": "lighting", "description": "Nie świeci", "lat": "50.1", "long": "18.5"}
    response = anon_client.post("/open311/v2/requests.json", {**base, **change})
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status and words in error["description"]
    assert not Problem.objects.exists()


def test_it_takes_an_open311_post_located_by_address_only(anon_client):
    CategoryFactory.create()
    Open311Key.issue(name="Miasto", raw="k-123")
    body = {"api_key": "k-123", "service_code": "lighting", "description": "Ciemno", "address_string": "ul. Kolejowa"}
    response = anon_client.post("/open311/v2/requests.json", body)
    assert response.status_code == 201
    problem = Problem.objects.get()
    assert (problem.lat, problem.lon, problem.location) == (None, None, "ul. Kolejowa")
    [item] = anon_client.get(f"/open311/v2/requests/{problem.code}.json").json()
    assert item["lat"] is None and item["long"] is None and item["address"] == "ul. Kolejowa"


def test_it_refuses_a_latitude_off_the_globe_in_the_api(assistant_client):
    CategoryFactory.create()
    body = {"client_uuid": str(uuid.uuid4()), "category": "lighting", "description": "Ciemno", "lat": "123.5"}
    response = assistant_client.post("/api/v1/problems/", body, content_type="application/json")
    assert response.status_code == 400 and list(response.json()) == ["lat"]
    assert not Problem.objects.exists()


def test_it_keeps_anonymous_visitors_to_the_public_page(anon_client):
    problem = report()
    assert anon_client.get(f"/z/{problem.code}/").status_code == 200
    for url in [
        reverse("needs:problem_list"),
        reverse("needs:problem_create"),
        reverse("needs:problem_detail", args=[problem.code]),
        reverse("needs:card", args=[problem.code]),
        reverse("needs:cards") + f"?kody={problem.code}",
    ]:
        response = anon_client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, url
    told = anon_client.post(reverse("needs:problem_told", args=[problem.code]))
    assert told.status_code == 302 and "/login/" in told.url
    assert anon_client.get("/api/v1/problems/").status_code == 401
    assert anon_client.get(f"/api/v1/problems/{problem.code}/").status_code == 401
    body = {"client_uuid": str(uuid.uuid4()), "category": "lighting", "description": "Ciemno"}
    assert anon_client.post("/api/v1/problems/", body, content_type="application/json").status_code == 401
    problem.refresh_from_db()
    assert problem.untold_since is None and Problem.objects.count() == 1


def test_it_guards_a_referral_answer_edited_in_the_admin(coordinator_client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    referral = services.problem_forward(problem=report(), institution=InstitutionFactory.create(), by=coordinator)
    url = f"/admin/needs/referral/{referral.pk}/change/"
    body = {"channel": "email", "answered_on": "", "outcome": "will_fix", "answer": "Proszę dzwonić 601 234 567"}
    response = coordinator_client.post(url, body)
    assert response.status_code == 200 and "numer telefonu" in response.content.decode()
    referral.refresh_from_db()
    assert referral.answer == ""
    assert coordinator_client.post(url, {**body, "answer": "Wymiana oprawy zlecona"}).status_code == 302
    referral.refresh_from_db()
    assert referral.answer == "Wymiana oprawy zlecona"
    # a referral is born only from the "forward" action, which writes the timeline event
    assert coordinator_client.get("/admin/needs/referral/add/").status_code == 403


def test_admin_actions_record_told_and_print_cards(coordinator_client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    problem = report()
    services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)
    url = "/admin/needs/problem/"
    coordinator_client.post(url, {"action": "feedback_told", "_selected_action": [problem.pk]})
    problem.refresh_from_db()
    assert problem.untold_since is None and problem.events.last().kind == "feedback_told"
    cards = coordinator_client.post(url, {"action": "print_cards", "_selected_action": [problem.pk]})
    assert cards.status_code == 302 and cards.url == reverse("needs:cards") + f"?kody={problem.code}"


@pytest.mark.parametrize("rows", [1, 50])
def test_it_filters_and_searches_the_admin_changelist_cheaply(
    rows, coordinator_client, coordinator, django_assert_max_num_queries
):
    coordinator.is_superuser = True
    coordinator.save()
    late, other = InstitutionFactory.create(name="ZBM"), InstitutionFactory.create(name="MOPS")
    problems = [report() for _ in range(rows)]
    for problem in problems:
        services.problem_forward(
            problem=problem, institution=late, by=coordinator, sent_on=timezone.localdate() - timedelta(days=30)
        )
        services.problem_forward(problem=problem, institution=other, by=coordinator)
    quiet = report(description="Brak ławki przy placu zabaw")
    url = "/admin/needs/problem/"
    with django_assert_max_num_queries(20):
        page = coordinator_client.get(url, {"referrals__institution__id__exact": late.pk, "overdue": "yes"})
    assert page.status_code == 200
    shown = {p.code for p in page.context["cl"].result_list}
    assert shown == {p.code for p in problems}  # each once, though it went to two institutions
    assert len(page.context["cl"].result_list) == rows
    found = coordinator_client.get(url, {"q": quiet.code.lower()})
    assert [p.code for p in found.context["cl"].result_list] == [quiet.code]
