"""Note text has a lifetime; the figures do not change when the words go; history keeps no words."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.retention import EXPIRED_TEXT
from duty import services
from duty.models import ConversationNote
from duty.tasks import expire_texts
from duty.tests.factories import PlaceFactory, ShiftFactory
from insight import selectors as insight
from insight.periods import Period
from needs import services as needs_services
from needs.models import Problem, ProblemEvent, Referral
from needs.tests.factories import InstitutionFactory, report

pytestmark = pytest.mark.django_db

OLD_WORDS = "STARA-ROZMOWA o remoncie klatki"
NEW_WORDS = "NOWA-ROZMOWA o zajęciach dla dzieci"


def _note(assistant, needs, words, days_ago):
    shift = ShiftFactory.create(assistants=[assistant], place=PlaceFactory.create())
    note, _created = services.note_create(by=assistant, shift=shift, text=words, stage="using", needs=needs)
    when = timezone.now() - timedelta(days=days_ago)
    ConversationNote.objects.filter(pk=note.pk).update(created_at=when, date=when.date())
    return note


def _settled_problem(assistant, words, days_ago):
    problem = report(description=f"{words} — opis", location=f"{words} — miejsce", by=assistant)
    referral = needs_services.problem_forward(
        problem=problem, institution=InstitutionFactory.create(), by=assistant, internal_text=f"{words} — do urzędu"
    )
    needs_services.referral_record_answer(
        referral=referral, answer=f"{words} — odpowiedź", outcome="will_fix", by=assistant, public_text="Naprawią"
    )
    needs_services.problem_set_status(
        problem=problem, status="resolved", by=assistant, public_text="Naprawione", internal_text=f"{words} — wewn."
    )
    Problem.objects.filter(pk=problem.pk).update(settled_at=timezone.now() - timedelta(days=days_ago))
    return problem


def _planted(assistant, needs):
    return {
        "old_note": _note(assistant, needs, OLD_WORDS, 400),
        "new_note": _note(assistant, needs, NEW_WORDS, 30),
        "old_problem": _settled_problem(assistant, "STARY-PROBLEM", 400),
        "new_problem": _settled_problem(assistant, "NOWY-PROBLEM", 30),
        "open_problem": report(description="OTWARTY-PROBLEM lampa", by=assistant),
    }


def _figures():
    period = Period(timezone.localdate() - timedelta(days=800), timezone.localdate())
    return (
        insight.totals(period),
        insight.needs_over_time(period),
        insight.needs_by_place(period),
        insight.time_to_feedback(period),
        insight.problem_ageing(),
        sorted(ConversationNote.objects.values_list("pk", "stage", "date", "created_at", "needs__code")),
    )


def _all_text():
    """Every text column of every row that could hold residents' words."""
    rows = [*ConversationNote.objects.values_list("text", flat=True)]
    for p in Problem.objects.all():
        rows += [p.description, p.location, p.feedback_waived_reason]
    rows += ProblemEvent.objects.values_list("internal_text", flat=True)
    rows += Referral.objects.values_list("answer", flat=True)
    return " | ".join(rows)


def test_a_dry_run_counts_and_changes_nothing(assistant, needs):
    _planted(assistant, needs)
    before = _all_text()
    out = StringIO()
    call_command("expire_texts", "--dry-run", stdout=out)
    assert "note.text: 1 would be replaced" in out.getvalue()
    assert "problem.description: 1 would be replaced" in out.getvalue()
    assert _all_text() == before


def test_old_texts_become_a_marker_and_the_figures_stay_the_same(assistant, needs):
    planted = _planted(assistant, needs)
    figures = _figures()
    counts = services.texts_expire(batch_size=1)
    assert counts == {
        "note.text": 1,
        "problem.description": 1,
        "problem.location": 1,
        "problem.feedback_waived_reason": 0,
        "event.internal_text": 3,
        "referral.answer": 1,
    }
    text = _all_text()
    assert "STARA-ROZMOWA" not in text and "STARY-PROBLEM" not in text
    assert NEW_WORDS in text and "NOWY-PROBLEM" in text and "OTWARTY-PROBLEM" in text
    old = ConversationNote.objects.get(pk=planted["old_note"].pk)
    assert old.text == EXPIRED_TEXT and sorted(n.code for n in old.needs.all()) == sorted(n.code for n in needs)
    assert _figures() == figures


def test_running_it_twice_changes_nothing_the_second_time(assistant, needs):
    _planted(assistant, needs)
    expire_texts()
    after_first, figures = _all_text(), _figures()
    assert set(expire_texts().values()) == {0}
    assert _all_text() == after_first and _figures() == figures


@override_settings(NOTE_TEXT_RETENTION_DAYS=10)
def test_the_lifetime_is_a_setting(assistant, needs):
    _planted(assistant, needs)
    assert services.texts_expire(dry_run=True)["note.text"] == 2


def test_the_nightly_task_is_scheduled():
    assert PeriodicTask.objects.get(task="duty.expire_texts").crontab.hour == "3"


def test_history_keeps_no_copy_of_note_text_after_an_edit(assistant, needs):
    note = _note(assistant, needs, "PIERWSZA-WERSJA rozmowy", 1)
    services.note_update(note=note, text="DRUGA-WERSJA rozmowy")
    note.refresh_from_db()
    history = list(note.history.order_by("history_date"))
    assert len(history) == 2
    assert history[0].text_changed_at is None and history[1].text_changed_at is not None
    for model in (ConversationNote, Problem, Referral):
        table = model.history.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a table name from the model
            dump = " ".join(str(value) for row in cursor.fetchall() for value in row)
        assert "PIERWSZA-WERSJA" not in dump and "DRUGA-WERSJA" not in dump


def test_problem_history_keeps_no_copy_of_its_internal_texts(assistant):
    _settled_problem(assistant, "HISTORIA-PROBLEMU", 1)
    for model in (Problem, Referral):
        table = model.history.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a table name from the model
            dump = " ".join(str(value) for row in cursor.fetchall() for value in row)
        assert "HISTORIA-PROBLEMU" not in dump
