"""Every way a problem really ends, through the services the admin and the pages call."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from needs import services, texts
from needs.models import Problem, PublicText, Referral
from needs.tests.factories import InstitutionFactory, report
from reminders import services as reminders
from reminders.models import Reminder

pytestmark = pytest.mark.django_db


def forwarded(by, *, days_ago=0, institution=None):
    problem = report()
    referral = services.problem_forward(
        problem=problem,
        institution=institution or InstitutionFactory.create(),
        by=by,
        sent_on=timezone.localdate() - timedelta(days=days_ago),
    )
    return problem, referral


@pytest.mark.parametrize(
    ("resolution", "status", "wording"),
    [
        ("on_the_spot", "resolved", "Sprawa rozwiązana na miejscu."),
        ("neighbours", "resolved", "Sąsiedzi sami rozwiązali sprawę."),
        ("not_relevant", "resolved", "Sprawa jest już nieaktualna."),
        ("failed", "unresolvable", "Nie udało się rozwiązać tej sprawy."),
    ],
)
def test_it_resolves_without_a_referral_with_the_public_text_of_that_ending(coordinator, resolution, status, wording):
    problem = report()
    services.problem_resolve(problem=problem, resolution=resolution, by=coordinator)
    problem.refresh_from_db()
    assert (problem.status, problem.resolution) == (status, resolution)
    assert problem.settled_at is not None and problem.untold_since is not None
    assert problem.events.last().public_text == wording
    assert problem in Problem.objects.settled()


def test_a_coordinator_rewords_the_template_and_a_typed_text_wins(coordinator, coordinator_client):
    assert coordinator_client.get("/admin/needs/publictext/").status_code == 200  # makes a row per key
    row = PublicText.objects.get(key="resolved:neighbours")
    r = coordinator_client.post(
        f"/admin/needs/publictext/{row.pk}/change/", {"text": "Sąsiedzi naprawili to sami — dziękujemy!"}
    )
    assert r.status_code == 302
    first, second = report(), report()
    services.problem_resolve(problem=first, resolution="neighbours", by=coordinator)
    services.problem_resolve(problem=second, resolution="neighbours", by=coordinator, public_text="Już działa.")
    assert first.events.last().public_text == "Sąsiedzi naprawili to sami — dziękujemy!"
    assert second.events.last().public_text == "Już działa."


def test_a_template_with_a_pesel_is_refused(coordinator_client):
    coordinator_client.get("/admin/needs/publictext/")
    row = PublicText.objects.get(key="reopened")
    coordinator_client.post(f"/admin/needs/publictext/{row.pk}/change/", {"text": "Pani 02070803628 dzwoniła"})
    row.refresh_from_db()
    assert "02070803628" not in row.text


def test_the_status_banner_comes_from_its_template(client, coordinator):
    problem = report()
    PublicText.objects.create(key="status:new", text="Mamy to. Szukamy, kto naprawi.")
    assert "Mamy to. Szukamy, kto naprawi." in client.get(f"/z/{problem.code}/").content.decode()


def test_a_mistyped_placeholder_shows_as_typed():
    PublicText.objects.create(key="withdrawn", text="Nie czekamy na {instytucja} ani {0")
    assert texts.public_text("withdrawn", institution="MOPS") == "Nie czekamy na {instytucja} ani {0"


def test_settling_closes_every_open_referral_and_its_reminder(coordinator):
    problem, late = forwarded(coordinator, days_ago=30)
    other = services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)
    now = timezone.now()
    reminders.reminders_sweep(now=now)
    overdue = Reminder.objects.get(kind="answer_overdue")
    assert overdue.resolved_at is None

    services.problem_resolve(problem=problem, resolution="on_the_spot", by=coordinator)

    for referral in (late, other):
        referral.refresh_from_db()
        assert referral.closed_on == timezone.localdate() and referral.outcome == "closed"
        assert not referral.is_awaiting
    assert not Referral.objects.awaiting().exists()
    reminders.reminders_sweep(now=now + timedelta(days=3))
    overdue.refresh_from_db()
    assert overdue.resolved_at is not None
    assert Reminder.objects.filter(kind="answer_overdue").count() == 1  # no new nagging


def test_an_answer_that_resolves_closes_the_other_referrals(coordinator):
    problem, first = forwarded(coordinator)
    second = services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)
    services.referral_record_answer(
        referral=first,
        answer="Naprawione",
        outcome="fixed",
        by=coordinator,
        public_text="Lampa świeci",
        resolve="resolved",
    )
    second.refresh_from_db()
    problem.refresh_from_db()
    assert problem.resolution == "institution" and second.outcome == "closed" and second.closed_on


def test_withdrawing_the_only_referral_takes_the_problem_back_to_new(coordinator):
    problem, referral = forwarded(coordinator, institution=InstitutionFactory.create(name="MOPS"))
    services.referral_withdraw(referral=referral, by=coordinator, reason="Wysłane przez pomyłkę")
    referral.refresh_from_db()
    problem.refresh_from_db()
    assert referral.outcome == "withdrawn" and referral.closed_on and not referral.is_awaiting
    assert problem.status == "new"
    event = problem.events.last()
    assert event.kind == "withdrawn" and "MOPS" in event.public_text
    assert event.internal_text == "Wysłane przez pomyłkę" and "pomyłk" not in event.public_text
    with pytest.raises(ValidationError):
        services.referral_withdraw(referral=referral, by=coordinator)


def test_not_their_responsibility_forwards_elsewhere_in_one_step(coordinator):
    zbm = InstitutionFactory.create(name="ZBM", answer_days=14)
    greenery = InstitutionFactory.create(name="Zieleń Miejska", answer_days=7)
    problem, referral = forwarded(coordinator, institution=zbm)
    new = services.referral_redirect(referral=referral, to=greenery, by=coordinator, answer="To teren zieleni")
    referral.refresh_from_db()
    problem.refresh_from_db()
    assert referral.outcome == "not_competent" and referral.answered_on == timezone.localdate()
    assert new.institution == greenery and new.is_awaiting
    assert new.due_on == timezone.localdate() + timedelta(days=7)
    assert list(Referral.objects.awaiting()) == [new]
    assert problem.status == "forwarded" and problem.untold_since
    event = problem.events.last()
    assert event.kind == "redirected" and event.referral == new
    assert event.public_text == "ZBM nie zajmuje się tą sprawą; przekazaliśmy ją do: Zieleń Miejska."
    with pytest.raises(ValidationError):
        services.referral_redirect(referral=new, to=greenery, by=coordinator)


def test_reopening_a_settled_problem(coordinator, assistant):
    problem, referral = forwarded(coordinator)
    services.referral_record_answer(
        referral=referral, answer="OK", outcome="fixed", by=coordinator, public_text="Naprawione", resolve="resolved"
    )
    services.problem_feedback_told(problem=problem, by=assistant)
    services.problem_reopen(problem=problem, by=coordinator, reason="Znowu nie świeci")
    problem.refresh_from_db()
    assert problem.status == "in_progress" and problem.settled_at is None and problem.resolution == ""
    assert problem.feedback == "pending" and problem.untold_since and problem in Problem.objects.open()
    assert problem.events.last().kind == "reopened"
    with pytest.raises(ValidationError):
        services.problem_reopen(problem=problem, by=coordinator)


def test_the_admin_settles_reopens_withdraws_and_redirects_through_the_services(coordinator_client, coordinator):
    problem, referral = forwarded(coordinator)
    other = InstitutionFactory.create(name="Straż Miejska")
    r = coordinator_client.post(
        "/admin/needs/referral/",
        {"action": "redirect", "_selected_action": [referral.pk], "apply": "1", "to": other.pk, "channel": "email"},
    )
    assert r.status_code == 302
    assert problem.referrals.get(institution=other).is_awaiting
    r = coordinator_client.post(
        "/admin/needs/problem/",
        {"action": "resolve", "_selected_action": [problem.pk], "apply": "1", "resolution": "neighbours"},
    )
    assert r.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "resolved" and not Referral.objects.awaiting().exists()
    coordinator_client.post(
        "/admin/needs/problem/",
        {"action": "reopen", "_selected_action": [problem.pk], "apply": "1", "reason": "Wróciło"},
    )
    problem.refresh_from_db()
    assert problem.status == "in_progress"
    kinds = list(problem.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["redirected", "status", "reopened"]


def test_an_assistant_cannot_use_the_admin_endings(assistant_client, coordinator):
    problem = report()
    r = assistant_client.post(
        "/admin/needs/problem/",
        {"action": "resolve", "_selected_action": [problem.pk], "apply": "1", "resolution": "neighbours"},
    )
    assert r.status_code == 302 and "/login/" in r["Location"]
    problem.refresh_from_db()
    assert problem.status == "new"


def test_the_weekly_summary_counts_a_problem_settled_without_a_referral(coordinator):
    problem = report()
    services.problem_resolve(problem=problem, resolution="on_the_spot", by=coordinator)
    today = timezone.localdate()
    next_monday = today + timedelta(days=7 - today.weekday())
    reminders.summary_weekly(now=datetime.combine(next_monday, time(7), tzinfo=timezone.get_current_timezone()))
    assert "Problemy otwarte: 1; zamknięte: 1" in Reminder.objects.get(kind="weekly_summary").body.splitlines()
