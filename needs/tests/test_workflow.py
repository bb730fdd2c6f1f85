import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from duty.tests.factories import PlaceFactory
from needs import services
from needs.models import Problem, ProblemEvent, Referral
from needs.tests.factories import InstitutionFactory, report

pytestmark = pytest.mark.django_db


def test_a_code_is_seven_unambiguous_characters():
    codes = {report().code for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == 7 and not set(code) & set("01OIL")


def test_the_whole_loop_with_two_institutions(coordinator, assistant):
    place = PlaceFactory.create()
    problem = report(place=place, by=assistant)
    assert problem.status == "new" and problem.events.get().kind == "reported"
    zbm = InstitutionFactory.create(name="Zarząd Budynków Miejskich", answer_days=14)
    mops = InstitutionFactory.create(name="MOPS", answer_days=10)
    first = services.problem_forward(problem=problem, institution=zbm, by=coordinator)
    services.problem_forward(problem=problem, institution=mops, by=coordinator)
    problem.refresh_from_db()
    assert problem.status == "forwarded" and problem.untold_since is not None
    assert first.due_on == timezone.localdate() + timedelta(days=14)
    services.problem_feedback_told(problem=problem, by=assistant)
    problem.refresh_from_db()
    assert problem.untold_since is None and problem.feedback == "pending"  # told, but not settled yet
    services.referral_record_answer(
        referral=first,
        answer="Zlecono naprawę",
        outcome=Referral.Outcome.WILL_FIX,
        by=coordinator,
        public_text="Naprawa zlecona",
        resolve="",
    )
    problem.refresh_from_db()
    assert problem.status == "in_progress" and problem.untold_since is not None
    services.problem_set_status(problem=problem, status="resolved", by=coordinator, public_text="Lampa świeci")
    problem.refresh_from_db()
    assert problem.status == "resolved" and not problem.is_closed  # residents not told yet
    services.problem_feedback_told(problem=problem, by=assistant, note="Ucieszyli się")
    problem.refresh_from_db()
    assert problem.is_closed and problem.feedback == "told"
    kinds = list(problem.events.values_list("kind", "status_after"))
    assert kinds == [
        ("reported", "new"),
        ("forwarded", "forwarded"),
        ("forwarded", "forwarded"),
        ("feedback_told", "forwarded"),
        ("answered", "in_progress"),
        ("status", "resolved"),
        ("feedback_told", "resolved"),
    ]
    assert problem.history.count() >= 5  # audit history of the row itself


def test_feedback_can_be_waived_only_with_a_reason(coordinator):
    problem = report()
    services.problem_set_status(
        problem=problem, status="unresolvable", by=coordinator, public_text="Poza naszym zasięgiem"
    )
    with pytest.raises(ValidationError):
        services.problem_feedback_waive(problem=problem, by=coordinator, reason=" ")
    services.problem_feedback_waive(problem=problem, by=coordinator, reason="Nikt już tam nie mieszka")
    problem.refresh_from_db()
    assert problem.is_closed and problem.feedback == "waived" and problem.untold_since is None


def test_a_duplicate_points_to_the_first_report(coordinator):
    first, second = report(), report()
    services.problem_merge(problem=second, into=first, by=coordinator)
    second.refresh_from_db()
    assert second.status == "duplicate" and second.duplicate_of == first
    assert first.code in second.events.last().public_text
    with pytest.raises(ValidationError):
        services.problem_merge(problem=first, into=first, by=coordinator)


def test_a_closed_problem_is_not_forwarded_again(coordinator):
    problem = report()
    services.problem_set_status(problem=problem, status="resolved", by=coordinator, public_text="Zrobione")
    with pytest.raises(ValidationError):
        services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)


def test_reporting_is_idempotent_by_client_id(assistant):
    key = uuid.uuid4()
    one = report(client_uuid=key, by=assistant)
    two = report(client_uuid=key, by=assistant)
    assert one.pk == two.pk and Problem.objects.count() == 1 and ProblemEvent.objects.count() == 1


def test_a_description_may_hold_a_street_address_but_no_identifier():
    assert report(description="Lampa przy ul. Kolejowej 5 nie świeci").pk
    with pytest.raises(ValidationError) as error:
        report(description="Zgłasza pani, tel. 601 234 567")
    assert "telefonu" in error.value.messages[0]
