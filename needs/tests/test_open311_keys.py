"""Open311 keys are stored hashed, shown once, and an empty key is never valid."""

import pytest
from django.db import connection

from needs.models import Open311Key, Problem, open311_key_hash
from needs.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

BODY = {"service_code": "lighting", "description": "Nie świeci latarnia", "lat": "50.1", "long": "18.5"}


def test_the_database_holds_only_the_keys_hash(anon_client):
    CategoryFactory.create()
    key, secret = Open311Key.issue(name="Miasto")
    with connection.cursor() as c:
        c.execute("SELECT * FROM needs_open311key")
        stored = " ".join(str(v) for v in c.fetchone())
    assert secret not in stored
    assert key.key_hash == open311_key_hash(secret) and len(secret) >= 40
    assert anon_client.post("/open311/v2/requests.json", {**BODY, "api_key": secret}).status_code == 201


@pytest.mark.parametrize("presented", [None, "", " ", "  \t"])
def test_an_empty_key_is_never_valid(anon_client, presented):
    CategoryFactory.create()
    blank = Open311Key(name="Pusty")
    blank.key_hash = open311_key_hash("")  # even a row made by hand for the empty string
    blank.save()
    assert Open311Key.objects.authenticate(presented) is None
    body = BODY if presented is None else {**BODY, "api_key": presented}
    assert anon_client.post("/open311/v2/requests.json", body).status_code == 403
    assert not Problem.objects.exists()


def test_a_deactivated_key_is_refused(anon_client):
    CategoryFactory.create()
    key, secret = Open311Key.issue(name="Miasto")
    key.active = False
    key.save(update_fields=["active"])
    assert anon_client.post("/open311/v2/requests.json", {**BODY, "api_key": secret}).status_code == 403


def test_the_admin_shows_a_new_key_once_and_keeps_its_hash(coordinator_client, coordinator):
    coordinator.is_superuser = True
    coordinator.save(update_fields=["is_superuser"])
    response = coordinator_client.post("/admin/needs/open311key/add/", {"name": "Miasto", "active": "on"}, follow=True)
    assert response.status_code == 200
    key = Open311Key.objects.get()
    [message] = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    secret = message.rsplit(" ", 1)[-1]
    assert open311_key_hash(secret) == key.key_hash and key.prefix == secret[:4]
    page = coordinator_client.get(f"/admin/needs/open311key/{key.pk}/change/").content.decode()
    assert secret not in page
