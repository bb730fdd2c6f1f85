"""The note API refuses every disguised identifier of the table and saves every ordinary text."""

import uuid

import pytest
from django.test import override_settings

from core.tests.pii_table import DISGUISED, ORDINARY
from duty.models import ConversationNote

pytestmark = pytest.mark.django_db


def _post(client, shift, text):
    body = {
        "client_uuid": str(uuid.uuid4()),
        "shift": shift.pk,
        "text": text,
        "needs": ["childcare"],
        "stage": "using",
        "age_band": "adult",
        "touchpoint": "coffee",
    }
    return client.post("/api/v1/notes/", body, content_type="application/json")


@override_settings(WRITE_RATE="1000/min")  # 133 notes in a row: more than the per-user write limit
def test_the_note_api_refuses_every_disguise_and_keeps_every_ordinary_text(assistant_client, started_shift, needs):
    passed = [text for text, _kind in DISGUISED if _post(assistant_client, started_shift, text).status_code != 400]
    assert passed == []
    assert not ConversationNote.objects.exists()
    refused = [text for text in ORDINARY if _post(assistant_client, started_shift, text).status_code != 201]
    assert refused == []
    assert ConversationNote.objects.count() == len(ORDINARY)
