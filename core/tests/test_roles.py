import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from conftest import PASSWORD
from core.roles import ASSISTANT, CLUB, COORDINATOR, ROLES

pytestmark = pytest.mark.django_db


def test_it_creates_the_three_groups_with_permissions():
    groups = {g.name: g for g in Group.objects.filter(name__in=ROLES)}
    assert set(groups) == {"Asystent", "Koordynator", "Klub"}
    assistant_perms = set(groups[ASSISTANT].permissions.values_list("codename", flat=True))
    assert {"add_conversationnote", "view_place", "add_problem"} <= assistant_perms
    assert "delete_conversationnote" not in assistant_perms
    assert "change_place" not in assistant_perms
    coordinator_perms = set(groups[COORDINATOR].permissions.values_list("codename", flat=True))
    assert {"change_problem", "add_referral", "change_place", "add_session"} <= coordinator_perms
    club_perms = set(groups[CLUB].permissions.values_list("codename", flat=True))
    assert {"add_session", "change_session", "add_activity"} <= club_perms
    assert "view_problem" not in club_perms


@pytest.mark.parametrize(
    ("persona", "landing"),
    [("assistant_client", "duty:home"), ("coordinator_client", "dashboard"), ("club_client", "club:staff_home")],
)
def test_each_role_lands_on_its_own_home(request, persona, landing):
    client = request.getfixturevalue(persona)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(landing)
    assert client.get(response.url).status_code == 200


def test_a_user_without_a_group_sees_a_polish_message(no_role_user, client):
    client.force_login(no_role_user)
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 403
    assert "nie ma jeszcze przypisanej roli" in response.content.decode()


def test_login_takes_an_assistant_to_the_duty_page(assistant, client):
    response = client.post(reverse("login"), {"username": assistant.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("duty:home")
    assert response.context["user"] == assistant


def test_wrong_password_is_refused_in_polish(assistant, client):
    response = client.post(reverse("login"), {"username": assistant.username, "password": "zle"})
    assert response.status_code == 200
    assert "Nieprawidłowa nazwa użytkownika lub hasło" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(assistant_client):
    response = assistant_client.post(reverse("logout"))
    assert response.status_code == 302
    assert assistant_client.get(reverse("duty:home")).status_code == 302


def test_the_login_page_is_polish(client):
    content = client.get(reverse("login")).content.decode()
    assert "Zaloguj się" in content
    assert 'lang="pl"' in content


def test_the_coordinator_overview_is_not_for_assistants(assistant_client):
    assert assistant_client.get(reverse("dashboard")).status_code == 403
