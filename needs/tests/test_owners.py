"""One owner per rule: open, settled, untold, overdue, visible to, is a coordinator.

State is always made through the services the pages and the admin call, never by writing events.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from conftest import make_user
from core.roles import coordinator_ids, is_coordinator
from duty.models import ConversationNote, Shift
from duty.tests.factories import NoteFactory, PlaceFactory, ShiftFactory
from needs import services
from needs.models import Problem, Referral
from needs.tests.factories import InstitutionFactory, report

pytestmark = pytest.mark.django_db


def forwarded_long_ago(by, *, days_ago=30, answer_days=14):
    problem = report()
    referral = services.problem_forward(
        problem=problem,
        institution=InstitutionFactory.create(answer_days=answer_days),
        by=by,
        sent_on=timezone.localdate() - timedelta(days=days_ago),
    )
    return problem, referral


def test_it_tells_open_from_settled_through_every_way_of_settling(coordinator):
    new = report()
    answered, referral = forwarded_long_ago(coordinator)
    services.referral_record_answer(
        referral=referral,
        answer="Naprawione",
        outcome="fixed",
        by=coordinator,
        public_text="Lampa świeci",
        resolve="resolved",
    )
    by_status = report()
    services.problem_set_status(problem=by_status, status="unresolvable", by=coordinator, public_text="Nie da się")
    duplicate = report()
    services.problem_merge(problem=duplicate, into=new, by=coordinator)

    assert set(Problem.objects.open()) == {new}
    assert set(Problem.objects.settled()) == {answered, by_status, duplicate}
    for problem in Problem.objects.all():
        assert problem.is_settled == (problem != new)
        assert problem.settled_at is not None if problem.is_settled else problem.settled_at is None


def test_it_counts_untold_news_until_residents_are_told_or_it_is_waived(coordinator, assistant):
    quiet = report()
    told, waived = forwarded_long_ago(coordinator)[0], forwarded_long_ago(coordinator)[0]
    assert set(Problem.objects.untold()) == {told, waived}
    assert quiet not in Problem.objects.untold()
    assert not Problem.objects.untold(before=timezone.now() - timedelta(days=1)).exists()
    services.problem_feedback_told(problem=told, by=assistant)
    services.problem_feedback_waive(problem=waived, by=coordinator, reason="Nikt tam już nie mieszka")
    assert not Problem.objects.untold().exists()


def test_a_referral_is_overdue_only_while_unanswered_and_the_problem_is_open(coordinator):
    late_problem, late = forwarded_long_ago(coordinator, days_ago=30)
    _on_time_problem, on_time = forwarded_long_ago(coordinator, days_ago=1)
    today = timezone.localdate()
    assert list(Referral.objects.overdue(today)) == [late]
    assert set(Referral.objects.awaiting()) == {late, on_time}
    assert list(Problem.objects.with_overdue(today).filter(is_overdue=True)) == [late_problem]  # type: ignore[misc]

    # Settled without this institution's answer: it is no longer waited for.
    services.problem_set_status(problem=late_problem, status="resolved", by=coordinator, public_text="Naprawione")
    assert not Referral.objects.overdue(today).exists()
    late.refresh_from_db()
    assert not late.is_awaiting


def test_the_admin_overdue_filter_uses_the_same_rule(coordinator_client, coordinator):
    late_problem, _late = forwarded_long_ago(coordinator, days_ago=30)
    settled, _referral = forwarded_long_ago(coordinator, days_ago=30)
    services.problem_set_status(problem=settled, status="resolved", by=coordinator, public_text="Naprawione")
    page = coordinator_client.get("/admin/needs/problem/?overdue=yes").content.decode()
    assert late_problem.code in page and settled.code not in page


def test_notes_visible_to_each_role(assistant, assistant2, coordinator, club_staff):
    mine = NoteFactory.create(shift=ShiftFactory.create(assistants=[assistant]))
    theirs = NoteFactory.create(shift=ShiftFactory.create(assistants=[assistant2]))
    shared = NoteFactory.create(shift=ShiftFactory.create(assistants=[assistant, assistant2]))
    place = PlaceFactory.create()
    box_mine = ConversationNote.objects.create(place=place, source="contact_box", created_by=assistant, text="")
    box_theirs = ConversationNote.objects.create(place=place, source="contact_box", created_by=assistant2, text="")
    everything = {mine, theirs, shared, box_mine, box_theirs}
    superuser = make_user("root", None, is_superuser=True)

    assert set(ConversationNote.objects.visible_to(assistant)) == {mine, shared, box_mine}
    assert set(ConversationNote.objects.visible_to(assistant2)) == {theirs, shared, box_theirs}
    assert set(ConversationNote.objects.visible_to(coordinator)) == everything
    assert set(ConversationNote.objects.visible_to(superuser)) == everything
    assert not ConversationNote.objects.visible_to(club_staff).exists()
    assert not ConversationNote.objects.visible_to(AnonymousUser()).exists()
    assert ConversationNote.objects.visible_to(assistant).count() == 3  # no duplicate rows for shared shifts
    assert set(Shift.objects.visible_to(assistant)) == {mine.shift, shared.shift}


def test_a_note_of_another_assistant_cannot_become_a_problem(assistant_client, assistant2):
    theirs = NoteFactory.create(shift=ShiftFactory.create(assistants=[assistant2]))
    assert assistant_client.get(f"/problemy/z-notatki/{theirs.pk}/").status_code == 404


def test_is_a_coordinator_is_one_rule(assistant, coordinator, club_staff):
    superuser = make_user("root", None, is_superuser=True)
    inactive = make_user("dawna", "Koordynator", is_active=False)
    assert is_coordinator(coordinator) and is_coordinator(superuser)
    assert not is_coordinator(assistant) and not is_coordinator(club_staff) and not is_coordinator(AnonymousUser())
    assert coordinator_ids() == sorted([coordinator.pk, superuser.pk])
    assert inactive.pk not in coordinator_ids()
