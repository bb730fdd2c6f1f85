"""Telling everywhere: problems without a place, "is it fixed?", and "Nadal nie działa"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from duty.models import Shift
from duty.tests.factories import ShiftFactory
from needs import services
from needs.models import Problem
from needs.tests.factories import InstitutionFactory, report
from reminders import rules
from reminders import services as reminders
from reminders.models import Reminder

pytestmark = pytest.mark.django_db


def test_a_placeless_problem_with_news_reaches_the_coordinator_list_and_digest(coordinator, coordinator_client):
    problem = report(location="Przy torach za garażami")
    services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)
    assert problem.place is None
    page = coordinator_client.get(reverse("needs:problem_list") + "?do-przekazania=1").content.decode()
    assert problem.code in page

    later = timezone.now() + timedelta(days=5)
    due = rules.feedback_untold(later, rules.Roles())
    assert [d.recipients for d in due] == [[coordinator.pk]] and problem.code in due[0].title
    reminders.digest_daily(now=later, day=timezone.localdate(later))
    assert problem.code in Reminder.objects.get(kind="daily_digest").body

    services.problem_feedback_waive(problem=problem, by=coordinator, reason="Nie wiadomo, komu powiedzieć")
    assert not rules.feedback_untold(later, rules.Roles())
    assert (
        problem.code not in coordinator_client.get(reverse("needs:problem_list") + "?do-przekazania=1").content.decode()
    )


def resolved_weeks_ago(place, by, weeks=5):
    problem = report(place=place)
    services.problem_resolve(problem=problem, resolution="institution", by=by)
    Problem.objects.filter(pk=problem.pk).update(settled_at=timezone.now() - timedelta(weeks=weeks))
    return problem


def started(assistant):
    return ShiftFactory.create(
        assistants=[assistant], status=Shift.Status.STARTED, started_at=timezone.now(), planned_start=timezone.now()
    )


def test_the_next_duty_asks_whether_it_is_fixed_and_yes_is_recorded(assistant_client, assistant, coordinator):
    shift = started(assistant)
    old = resolved_weeks_ago(shift.place, coordinator)
    recent = resolved_weeks_ago(shift.place, coordinator, weeks=1)
    page = assistant_client.get(reverse("duty:home")).content.decode()
    assert (
        "Zapytaj, czy naprawione" in page
        and f'data-fix-check="{old.code}"' in page
        and f'data-fix-check="{recent.code}"' not in page
    )

    r = assistant_client.post(reverse("needs:problem_fix_check", args=[old.code]), {"holds": "yes"})
    assert r.status_code == 302
    old.refresh_from_db()
    assert old.status == "resolved" and old.fix_checked_at is not None
    assert f'data-fix-check="{old.code}"' not in assistant_client.get(reverse("duty:home")).content.decode()


def test_no_reopens_it_with_an_event(assistant_client, assistant, coordinator):
    shift = started(assistant)
    problem = resolved_weeks_ago(shift.place, coordinator)
    r = assistant_client.post(
        reverse("needs:problem_fix_check", args=[problem.code]), {"holds": "no"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and "znowu otwarte" in r.content.decode()
    problem.refresh_from_db()
    assert problem.status == "in_progress" or problem.status == "new"
    assert problem in Problem.objects.open() and problem.untold_since is not None
    assert list(problem.events.values_list("kind", flat=True))[-2:] == ["still_broken", "reopened"]


def test_the_fix_check_refuses_bad_input_and_strangers(assistant_client, assistant2_client, assistant, coordinator):
    shift = started(assistant)
    problem = resolved_weeks_ago(shift.place, coordinator)
    url = reverse("needs:problem_fix_check", args=[problem.code])
    assert assistant_client.post(url, {"holds": "maybe"}).status_code == 400
    assert assistant2_client.post(url, {"holds": "no"}).status_code == 404
    problem.refresh_from_db()
    assert problem.status == "resolved"


def test_a_resident_says_still_broken_once_and_it_lands_on_the_coordinator_list(
    client, coordinator, coordinator_client
):
    problem = report()
    services.problem_resolve(problem=problem, resolution="neighbours", by=coordinator)
    page = client.get(f"/z/{problem.code}/").content.decode()
    assert "Nadal nie działa" in page
    url = reverse("needs:public_still_broken", args=[problem.code])
    r = client.post(url)
    assert r.status_code == 302 and "dziekujemy=1" in r["Location"]
    assert "Dziękujemy" in client.get(r["Location"]).content.decode()
    client.post(url)
    problem.refresh_from_db()
    assert problem.still_broken_since is not None and problem.status == "resolved"
    assert problem.events.filter(kind="still_broken").count() == 1
    assert problem.code in coordinator_client.get(reverse("needs:problem_list") + "?do-przekazania=1").content.decode()


def test_still_broken_is_limited_per_address_and_only_for_resolved(client, coordinator):
    open_problem = report()
    client.post(reverse("needs:public_still_broken", args=[open_problem.code]))
    open_problem.refresh_from_db()
    assert open_problem.still_broken_since is None
    codes = []
    for _ in range(6):
        p = report()
        services.problem_resolve(problem=p, resolution="neighbours", by=coordinator)
        codes.append(p.code)
    answers = [client.post(reverse("needs:public_still_broken", args=[c])).status_code for c in codes]
    assert answers.count(429) >= 1 and Problem.objects.still_broken().count() <= 5
