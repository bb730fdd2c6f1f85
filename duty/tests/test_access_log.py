"""Exports and bulk reads of notes are written to an append-only log that administrators can read."""

from typing import Any

import pytest
from django.contrib import admin
from django.db import DatabaseError, transaction
from django.test import RequestFactory
from import_export.formats.base_formats import CSV

from core.models import AccessLogEntry
from duty.tests.factories import NoteFactory, ShiftFactory
from needs.models import Problem
from needs.tests.factories import report

pytestmark = pytest.mark.django_db


def test_reading_notes_through_the_api_is_logged(coordinator_client, coordinator, assistant):
    shift = ShiftFactory.create(assistants=[assistant])
    NoteFactory.create_batch(3, shift=shift)
    assert coordinator_client.get(f"/api/v1/notes/?shift={shift.pk}").status_code == 200
    [entry] = AccessLogEntry.objects.all()
    assert (entry.user, entry.kind, entry.what, entry.rows) == (coordinator, "bulk_read", "duty.conversationnote", 3)
    assert entry.filter == f"shift={shift.pk}"


def test_an_admin_search_of_notes_is_logged_without_the_words_searched_for(coordinator_client, assistant):
    NoteFactory.create(shift=ShiftFactory.create(assistants=[assistant]), text="remont klatki schodowej")
    response = coordinator_client.get("/admin/duty/conversationnote/?q=remont")
    assert response.status_code == 200
    [entry] = AccessLogEntry.objects.all()
    assert entry.kind == "bulk_read" and entry.rows == 1
    assert entry.filter == "q=<6 characters>" and "remont" not in str(entry.__dict__)


def test_an_export_is_logged(coordinator):
    report(description="Nie świeci lampa", by=coordinator)
    report(description="Dziura w chodniku", by=coordinator)
    request = RequestFactory().get("/admin/needs/problem/export/?status=new")
    request.user = coordinator
    problem_admin: Any = admin.site._registry[Problem]
    problem_admin.get_export_data(CSV(), request, Problem.objects.all())
    [entry] = AccessLogEntry.objects.all()
    assert (entry.kind, entry.what, entry.rows, entry.filter) == ("export", "needs.problem", 2, "status=new")
    assert entry.username == coordinator.username


def test_the_log_is_append_only(coordinator_client):
    coordinator_client.get("/api/v1/notes/")
    entry = AccessLogEntry.objects.get()
    entry.rows = 0
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.count() == 1


def test_administrators_read_it_and_nobody_edits_it(coordinator_client, coordinator):
    coordinator_client.get("/api/v1/notes/")
    entry = AccessLogEntry.objects.get()
    assert coordinator_client.get("/admin/core/accesslogentry/").status_code == 403
    coordinator.is_superuser = True
    coordinator.save(update_fields=["is_superuser"])
    page = coordinator_client.get("/admin/core/accesslogentry/")
    assert page.status_code == 200 and coordinator.username in page.content.decode()
    assert coordinator_client.get("/admin/core/accesslogentry/add/").status_code == 403
    assert coordinator_client.post(f"/admin/core/accesslogentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
