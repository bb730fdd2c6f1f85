"""API tokens for integrations: issued and revoked in the admin, stored hashed, expiring."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import ApiToken, api_token_hash

pytestmark = pytest.mark.django_db


def api(raw, scheme="Token"):
    return Client(HTTP_AUTHORIZATION=f"{scheme} {raw}").get("/api/v1/problems/")


def test_a_token_works_until_it_expires_or_is_revoked(coordinator, settings):
    token, raw = ApiToken.issue(name="System miejski", user=coordinator)

    assert token.key_hash == api_token_hash(raw) and raw not in token.key_hash and token.prefix == raw[:4]
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    assert api(raw).status_code == 200 and api(raw, "Bearer").status_code == 200
    assert api("wrong").status_code == 401 and api("").status_code == 401

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api(raw).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert api(raw).status_code == 200
    token.revoke()
    assert api(raw).status_code == 401


def test_the_lifetime_is_a_setting(coordinator, settings):
    settings.API_TOKEN_DAYS = 7
    token, _raw = ApiToken.issue(name="Próba", user=coordinator)
    assert token.expires_at - timezone.now() <= timedelta(days=7)


def test_the_token_acts_with_its_users_role(assistant):
    _token, raw = ApiToken.issue(name="Tablet", user=assistant)
    response = Client(HTTP_AUTHORIZATION=f"Token {raw}").post(
        "/api/v1/problems/NOPE234/forward/", {}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_coordinator_issues_a_token_shown_once_and_revokes_it(coordinator_client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    page = coordinator_client.post(
        "/admin/core/apitoken/add/", {"name": "System miejski", "user": coordinator.pk}, follow=True
    )
    token = ApiToken.objects.get()
    shown = [str(m) for m in page.context["messages"]]
    [raw] = [m.rsplit(": ", 1)[1] for m in shown if token.prefix in m]
    assert api_token_hash(raw) == token.key_hash and api(raw).status_code == 200
    assert raw not in coordinator_client.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()

    coordinator_client.post("/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None and api(raw).status_code == 401
