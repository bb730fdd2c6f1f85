"""Per-user limits on note and problem writes: far above a real shift, low enough to stop a script."""

import uuid

import pytest
from django.test import override_settings
from django.urls import reverse

from duty.models import ConversationNote

pytestmark = pytest.mark.django_db


def _note(client, shift):
    body = {"client_uuid": str(uuid.uuid4()), "shift": shift.pk, "text": "Rozmowa o pogodzie", "stage": "using"}
    return client.post("/api/v1/notes/", body, content_type="application/json")


@override_settings(WRITE_RATE="3/min")
def test_note_writes_are_limited_per_user(assistant_client, started_shift, other_shift, assistant2_client):
    codes = [_note(assistant_client, started_shift).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert ConversationNote.objects.count() == 3
    assert _note(assistant2_client, other_shift).status_code == 201  # another user has a budget of their own
    assert assistant_client.get(reverse("duty:home")).status_code == 200  # reading is not limited


@override_settings(WRITE_RATE="2/min")
def test_the_phone_form_shares_the_budget(assistant_client, started_shift):
    assert _note(assistant_client, started_shift).status_code == 201
    assert _note(assistant_client, started_shift).status_code == 201
    form = {"client_uuid": str(uuid.uuid4()), "text": "Kawa", "stage": "using"}
    response = assistant_client.post(reverse("duty:note_create", args=[started_shift.pk]), form)
    assert response.status_code == 429 and response["Retry-After"] == "60"


def test_the_default_is_far_above_a_real_shift(settings):
    count, seconds = (int(x) if x.isdigit() else x for x in settings.WRITE_RATE.split("/"))
    assert (count, seconds) == (120, "min")
