"""The coordinator's work through the JSON API: forward, record an answer, residents told."""

import uuid

import pytest

from needs import services
from needs.models import Problem, ProblemEvent, Referral
from needs.tests.factories import InstitutionFactory, report

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_coordinator_forwards_a_problem_once_per_client_id(coordinator_client):
    problem, institution = report(), InstitutionFactory.create(name="ZBM", answer_days=10)
    body = {"client_uuid": str(uuid.uuid4()), "institution": institution.pk, "channel": "epuap"}

    first = post(coordinator_client, f"/api/v1/problems/{problem.code}/forward/", body)
    again = post(coordinator_client, f"/api/v1/problems/{problem.code}/forward/", body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["status"] == "forwarded" and "ZBM" in first.json()["timeline"][-1]["public_text"]
    referral = Referral.objects.get()
    assert (referral.institution, referral.channel) == (institution, "epuap")
    assert problem.events.filter(kind="forwarded").count() == 1
    other = {**body, "channel": "email"}
    assert post(coordinator_client, f"/api/v1/problems/{problem.code}/forward/", other).status_code == 409
    assert Referral.objects.count() == 1


def test_only_a_coordinator_forwards_or_records_answers(assistant_client, anon_client, assistant):
    from duty.tests.factories import ShiftFactory

    shift = ShiftFactory.create(assistants=[assistant])
    problem = report(place=shift.place)
    body = {"client_uuid": str(uuid.uuid4()), "institution": InstitutionFactory.create().pk}
    assert post(assistant_client, f"/api/v1/problems/{problem.code}/forward/", body).status_code == 403
    assert post(anon_client, f"/api/v1/problems/{problem.code}/forward/", body).status_code == 401
    answer = {"client_uuid": str(uuid.uuid4()), "referral": 1, "answer": "x", "outcome": "fixed", "public_text": "x"}
    assert post(assistant_client, f"/api/v1/problems/{problem.code}/answer/", answer).status_code == 403
    assert not Referral.objects.exists()


def test_it_refuses_bad_forwards(coordinator_client):
    problem = report()
    url = f"/api/v1/problems/{problem.code}/forward/"
    inactive = InstitutionFactory.create(active=False)
    assert (
        post(coordinator_client, url, {"client_uuid": str(uuid.uuid4()), "institution": inactive.pk}).status_code == 400
    )
    assert post(coordinator_client, url, {"institution": InstitutionFactory.create().pk}).status_code == 400
    pii = {
        "client_uuid": str(uuid.uuid4()),
        "institution": InstitutionFactory.create().pk,
        "internal_text": "tel. 601 234 567",
    }
    refused = post(coordinator_client, url, pii)
    assert refused.status_code == 400 and "internal_text" in refused.json()
    assert post(coordinator_client, "/api/v1/problems/NOPE234/forward/", pii).status_code == 404
    assert not Referral.objects.exists()


def test_a_coordinator_records_an_answer_once(coordinator_client, coordinator):
    problem = report()
    referral = services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)
    url = f"/api/v1/problems/{problem.code}/answer/"
    body = {
        "client_uuid": str(uuid.uuid4()),
        "referral": referral.pk,
        "answer": "Pismo: naprawa zlecona.",
        "outcome": "will_fix",
        "public_text": "Urząd zlecił naprawę.",
        "resolve": "resolved",
    }
    assert post(coordinator_client, url, {**body, "answer": "dzwonić 601 234 567"}).status_code == 400
    assert post(coordinator_client, url, {**body, "referral": referral.pk + 999}).status_code == 400
    assert post(coordinator_client, url, {**body, "public_text": " "}).status_code == 400

    first = post(coordinator_client, url, body)
    again = post(coordinator_client, url, body)

    assert (first.status_code, again.status_code) == (201, 200)
    referral.refresh_from_db()
    assert (referral.outcome, referral.answer) == ("will_fix", "Pismo: naprawa zlecona.")
    assert Problem.objects.get().status == "resolved" and problem.events.filter(kind="answered").count() == 1


def test_an_assistant_records_residents_told_once(assistant_client, assistant, coordinator):
    from duty.tests.factories import ShiftFactory

    shift = ShiftFactory.create(assistants=[assistant])
    problem = report(place=shift.place)
    services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)
    body = {"client_uuid": str(uuid.uuid4()), "note": "Powiedziane przy kawie"}

    first = post(assistant_client, f"/api/v1/problems/{problem.code}/told/", body)
    again = post(assistant_client, f"/api/v1/problems/{problem.code}/told/", body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["untold_since"] is None
    assert ProblemEvent.objects.filter(kind="feedback_told", client_uuid=body["client_uuid"]).count() == 1
    elsewhere = report()
    assert post(assistant_client, f"/api/v1/problems/{elsewhere.code}/told/", body).status_code == 404


def test_the_schema_lists_the_coordination_endpoints(coordinator_client):
    schema = coordinator_client.get("/api/schema/?format=json").json()
    for name in ("forward", "answer", "told"):
        assert f"/api/v1/problems/{{code}}/{name}/" in schema["paths"], name
