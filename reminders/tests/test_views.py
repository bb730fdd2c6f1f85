from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duty.models import ConversationNote
from duty.tests.factories import ShiftFactory
from mobilny_asystent.celery import app
from needs.tests.factories import report
from reminders import services
from reminders.models import EmailPreference, Kind, Notification, Reminder
from reminders.tests.factories import NotificationFactory, notify

pytestmark = pytest.mark.django_db


def bell(client):
    return client.get("/powiadomienia/").context["unread_notifications"]


def test_it_counts_the_bell_in_one_query_and_none_for_visitors(coordinator_client, coordinator, anon_client):
    notify(coordinator)
    notify(coordinator, resolved=True)  # resolved: no longer nags
    assert bell(coordinator_client) == 1
    with CaptureQueriesContext(connection) as queries:
        anon_client.get("/klub/")
    assert not [q for q in queries.captured_queries if "reminders_notification" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        coordinator_client.get("/klub/")
    assert len([q for q in queries.captured_queries if "reminders_notification" in q["sql"]]) == 1


def test_it_shows_a_resolved_notification_as_no_longer_current(coordinator_client, coordinator):
    notify(coordinator, title="Stara sprawa", resolved=True)
    html = coordinator_client.get("/powiadomienia/").content.decode()
    assert "Stara sprawa" in html and "nieaktualne" in html and "Oznacz jako przeczytane" not in html


def test_it_shows_only_my_own_notifications(assistant_client, assistant, coordinator):
    notify(coordinator, title="Dla koordynatorki")
    notify(assistant, title="Dla asystentki")
    html = assistant_client.get("/powiadomienia/").content.decode()
    assert "Dla asystentki" in html and "Dla koordynatorki" not in html


def test_it_asks_visitors_to_log_in(anon_client, coordinator):
    mine = notify(coordinator)
    for path in ("/powiadomienia/", "/powiadomienia/ustawienia/"):
        assert anon_client.get(path).url.startswith("/konto/login/")
    response = anon_client.post(f"/powiadomienia/{mine.pk}/przeczytane/")
    assert response.status_code == 302 and mine.__class__.objects.get(pk=mine.pk).read_at is None


def test_it_will_not_mark_or_open_another_users_notification(assistant_client, coordinator):
    theirs = notify(coordinator)
    assert assistant_client.post(f"/powiadomienia/{theirs.pk}/przeczytane/").status_code == 404
    assert assistant_client.post(f"/powiadomienia/{theirs.pk}/otworz/").status_code == 404
    assert assistant_client.post("/powiadomienia/999999/przeczytane/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_marks_one_and_then_all_as_read(coordinator_client, coordinator, assistant):
    first, second = notify(coordinator), notify(coordinator)
    other = notify(assistant)
    coordinator_client.post(f"/powiadomienia/{first.pk}/przeczytane/")
    assert bell(coordinator_client) == 1
    response = coordinator_client.post("/powiadomienia/przeczytane/", follow=True)
    assert "Oznaczono jako przeczytane: 1." in response.content.decode()
    assert bell(coordinator_client) == 0
    other.refresh_from_db()
    assert other.read_at is None  # "all" means all of mine
    assert coordinator_client.get(f"/powiadomienia/{second.pk}/przeczytane/").status_code == 405


def test_it_marks_a_notification_read_when_opened_and_goes_to_the_object(coordinator_client, coordinator):
    mine = notify(coordinator, url="/problemy/ABC/")
    response = coordinator_client.post(f"/powiadomienia/{mine.pk}/otworz/")
    assert response.status_code == 302 and response.url == "/problemy/ABC/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    elsewhere = notify(coordinator, url="https://example.com/")
    assert coordinator_client.post(f"/powiadomienia/{elsewhere.pk}/otworz/").url == "/powiadomienia/"


@pytest.mark.parametrize("rows", [1, 50])
def test_it_lists_1_and_50_notifications_with_the_same_queries(
    rows, coordinator_client, coordinator, django_assert_max_num_queries
):
    NotificationFactory.create_batch(rows, recipient=coordinator)
    with django_assert_max_num_queries(6):
        response = coordinator_client.get("/powiadomienia/")
    assert response.content.decode().count("data-notification=") == min(rows, 30)  # 30 a page


def test_it_shows_and_saves_the_email_choice(assistant_client, assistant):
    page = assistant_client.get("/powiadomienia/ustawienia/").content.decode()
    # An assistant is offered what reaches assistants, all on by default.
    assert "Wysyłaj mi e-mailem" in page and page.count("checked") == 2
    assert "Niezakończony dyżur" in page and "Dzienne podsumowanie" not in page
    response = assistant_client.post("/powiadomienia/ustawienia/", {"email_kinds": ["shift_open"]}, follow=True)
    assert "Zapisano ustawienia e-maili." in response.content.decode()
    off = set(EmailPreference.objects.filter(user=assistant, email=False).values_list("kind", flat=True))
    assert off == {"feedback_untold"}
    page = assistant_client.get("/powiadomienia/ustawienia/").content.decode()
    assert page.count("checked") == 1


@pytest.mark.parametrize("persona", ["assistant_client", "coordinator_client", "club_client"])
def test_every_role_finds_the_email_settings_in_the_menu(request, persona):
    # The staff menu is on every signed-in page; the public schedule (/klub/) carries none.
    page = request.getfixturevalue(persona).get("/powiadomienia/").content.decode()
    assert '<a class="nav-link" href="/powiadomienia/ustawienia/">Ustawienia e-maili</a>' in page


def test_it_offers_a_coordinator_the_coordinators_kinds(coordinator_client):
    page = coordinator_client.get("/powiadomienia/ustawienia/").content.decode()
    assert page.count("checked") == 6 and "Dzienne podsumowanie" in page and "Niezakończony dyżur" not in page


def test_it_refuses_an_unknown_kind_and_keeps_the_rest_ticked(assistant_client, assistant):
    response = assistant_client.post("/powiadomienia/ustawienia/", {"email_kinds": ["shift_open", "new_problem"]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "„new_problem” nie jest rodzajem powiadomienia. Wybierz z listy." in page
    assert 'value="shift_open"' in page and page.count("checked") == 1  # what was ticked stays ticked
    assert not EmailPreference.objects.filter(user=assistant).exists()


def test_it_tells_a_user_without_an_address(no_role_user, client):
    client.force_login(no_role_user)
    assert "nie ma adresu e-mail" in client.get("/powiadomienia/ustawienia/").content.decode()


def test_it_stops_unsent_emails_when_the_user_turns_them_off(coordinator):
    mine = notify(coordinator)
    Notification.objects.filter(pk=mine.pk).update(email_wanted=True)
    services.preferences_save(user=coordinator, email_kinds=[Kind.ANSWER_OVERDUE])
    mail.outbox.clear()
    assert services.emails_send() == 0 and mail.outbox == []


@pytest.fixture
def eager():
    """Tasks run in the test process, as in the demo without Redis."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_it_notifies_coordinators_of_a_follow_up_request_at_once(
    eager, coordinator, assistant, django_capture_on_commit_callbacks
):
    shift = ShiftFactory.create(assistants=[assistant])
    with django_capture_on_commit_callbacks(execute=True):
        ConversationNote.objects.create(
            shift=shift, place=shift.place, text="Chce pogadać o Klubie", wants_follow_up=False
        )
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ConversationNote.objects.create(shift=shift, place=shift.place, text="Prosi o kontakt", wants_follow_up=True)
    notification = Notification.objects.get()
    assert notification.recipient == coordinator and notification.reminder.kind == Kind.FOLLOW_UP
    assert notification.emailed_at is not None  # sent right away, not at the next sweep


def test_it_notifies_coordinators_of_a_reported_problem_at_once(eager, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        problem = report()
    notification = Notification.objects.get()
    assert notification.reminder.kind == Kind.NEW_PROBLEM and problem.code in notification.reminder.title
    assert notification.reminder.url == f"/admin/needs/problem/{problem.pk}/change/"
    services.reminders_sweep(now=timezone.now() + timedelta(minutes=10))
    assert Notification.objects.count() == 1  # the sweep sees it and adds nothing


def test_the_bell_counts_at_most_a_hundred_and_shows_99_plus(coordinator, coordinator_client):
    reminders = Reminder.objects.bulk_create(
        [Reminder(kind="new_problem", object_key=f"problem:{i}", occurrence="1", title=f"P{i}") for i in range(150)]
    )
    Notification.objects.bulk_create([Notification(reminder=r, recipient=coordinator) for r in reminders])
    response = coordinator_client.get("/powiadomienia/")
    assert response.context["unread_notifications"] == 100
    assert '<span class="badge rounded-pill bg-warning text-dark bell-count">99+</span>' in response.content.decode()
