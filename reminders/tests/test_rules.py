import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.utils import timezone

from club.tests.factories import make_activity
from duty.models import ConversationNote, Shift
from duty.tests.factories import PlaceFactory, ShiftFactory
from needs import services as needs_services
from needs.models import Referral
from needs.tests.factories import InstitutionFactory, report
from reminders import services
from reminders.models import EmailPreference, Kind, Notification, Reminder

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


def open_kinds():
    return sorted(
        Reminder.objects.filter(resolved_at__isnull=True).exclude(kind=Kind.NEW_PROBLEM).values_list("kind", flat=True)
    )


def overdue_referral(coordinator, days_late):
    problem = report()
    referral = needs_services.problem_forward(
        problem=problem, institution=InstitutionFactory.create(name="ZBM"), by=coordinator
    )
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - timedelta(days=days_late))
    return referral


def test_it_reminds_coordinators_of_an_overdue_answer_repeats_and_escalates(coordinator):
    referral = overdue_referral(coordinator, days_late=1)
    services.reminders_sweep()
    assert open_kinds() == ["answer_overdue"]
    assert Notification.objects.get(reminder__kind="answer_overdue").recipient == coordinator
    services.reminders_sweep()
    assert Reminder.objects.filter(kind="answer_overdue").count() == 1  # not repeated the same day
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - timedelta(days=4))
    services.reminders_sweep()
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - timedelta(days=7))
    services.reminders_sweep()
    repeats = list(
        Reminder.objects.filter(kind="answer_overdue").order_by("occurrence").values_list("occurrence", "escalated")
    )
    assert repeats == [("0", False), ("1", False), ("2", True)]


def test_it_resolves_the_overdue_reminder_when_the_answer_arrives(coordinator):
    referral = overdue_referral(coordinator, days_late=2)
    services.reminders_sweep()
    needs_services.referral_record_answer(
        referral=referral, answer="Naprawią", outcome="will_fix", by=coordinator, public_text="Naprawią"
    )
    services.reminders_sweep()
    assert Reminder.objects.get(kind="answer_overdue").resolved_at is not None
    mail.outbox.clear()
    services.reminders_sweep()
    assert not [m for m in mail.outbox if "Brak odpowiedzi" in m.subject]


def test_it_reminds_nobody_of_an_answer_not_due_yet(coordinator):
    overdue_referral(coordinator, days_late=0)
    services.reminders_sweep()
    assert open_kinds() == []


def test_it_sends_untold_news_to_the_assistants_of_that_place(assistant, assistant2, coordinator):
    place = PlaceFactory.create()
    ShiftFactory.create(place=place, assistants=[assistant])
    ShiftFactory.create(place=PlaceFactory.create(), assistants=[assistant2])
    problem = report(place=place)
    needs_services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)
    services.reminders_sweep()
    assert open_kinds() == []  # news of today: not late yet
    problem.refresh_from_db()
    type(problem).objects.filter(pk=problem.pk).update(untold_since=timezone.now() - timedelta(days=4))
    services.reminders_sweep()
    reminder = Reminder.objects.get(kind="feedback_untold")
    assert [n.recipient for n in reminder.notifications.all()] == [assistant]
    needs_services.problem_feedback_told(problem=problem, by=assistant)
    services.reminders_sweep()
    reminder.refresh_from_db()
    assert reminder.resolved_at is not None


def test_it_reminds_assistants_of_a_shift_past_its_planned_end(assistant):
    now = timezone.now()
    shift = ShiftFactory.create(
        assistants=[assistant],
        planned_start=now - timedelta(hours=3),
        planned_end=now + timedelta(hours=1),
        status=Shift.Status.STARTED,
        started_at=now - timedelta(hours=3),
    )
    services.reminders_sweep()
    assert open_kinds() == []
    Shift.objects.filter(pk=shift.pk).update(planned_end=now - timedelta(hours=2, minutes=5))
    services.reminders_sweep()
    assert open_kinds() == ["shift_open"]
    assert Notification.objects.get(reminder__kind="shift_open").recipient == assistant
    Shift.objects.filter(pk=shift.pk).update(status=Shift.Status.ENDED)
    services.reminders_sweep()
    assert open_kinds() == []


def test_it_reminds_of_a_shift_started_twelve_hours_ago(assistant):
    now = timezone.now()
    ShiftFactory.create(
        assistants=[assistant],
        planned_start=now - timedelta(hours=13),
        planned_end=now + timedelta(hours=20),
        status=Shift.Status.STARTED,
        started_at=now - timedelta(hours=12, minutes=1),
    )
    services.reminders_sweep()
    assert open_kinds() == ["shift_open"]


def test_it_reminds_coordinators_of_tomorrows_shift_without_an_assistant(coordinator, assistant):
    tomorrow = timezone.localdate() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(10), tzinfo=WARSAW)
    shift = ShiftFactory.create(planned_start=start, planned_end=start + timedelta(hours=2))
    ShiftFactory.create(
        planned_start=start + timedelta(days=2), planned_end=start + timedelta(days=2, hours=2)
    )  # not tomorrow
    services.reminders_sweep()
    assert open_kinds() == ["shift_no_assistant"]
    shift.assistants.add(assistant)
    services.reminders_sweep()
    assert open_kinds() == []


def test_it_reminds_club_staff_of_a_missing_leader_and_attendance(club_staff):
    now = timezone.localtime()
    soon = make_activity(
        title="Spotkanie", starts_on=(now + timedelta(days=1)).date(), start_time=time(10), end_time=time(11)
    )
    make_activity(
        title="Za tydzień",
        starts_on=(now + timedelta(days=7)).date(),
        start_time=time(10),
        end_time=time(11),
        room=soon.room,
    )
    past = make_activity(
        title="Animacje", starts_on=(now - timedelta(days=3)).date(), leader_name="Basia"
    ).sessions.get()
    services.reminders_sweep()
    assert open_kinds() == ["attendance_missing", "session_no_leader"]
    assert {n.recipient for n in Notification.objects.all() if n.reminder.kind != "new_problem"} == {club_staff}
    from club import services as club_services

    club_services.session_record_attendance(session=past, by=club_staff, children=5)
    club_services.session_set_leader(session=soon.sessions.get(), leader_user=None, leader_name="Kasia")
    services.reminders_sweep()
    assert open_kinds() == []


def test_it_catches_up_on_new_problems_and_follow_ups(coordinator, assistant):
    shift = ShiftFactory.create(assistants=[assistant])
    ConversationNote.objects.create(
        shift=shift, place=shift.place, wants_follow_up=True, text="Prosi o kontakt w sprawie Klubu"
    )
    report(place=shift.place)
    services.reminders_sweep()
    kinds = sorted(Reminder.objects.values_list("kind", flat=True))
    assert kinds == ["follow_up", "new_problem"]
    assert all(n.recipient == coordinator for n in Notification.objects.all())


def test_it_sends_each_email_once_when_the_sweep_runs_twice(coordinator):
    overdue_referral(coordinator, days_late=2)
    mail.outbox.clear()
    services.reminders_sweep()
    services.reminders_sweep()
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == len(set(subjects)) == Notification.objects.filter(email_wanted=True).count() == 2
    message = next(m for m in mail.outbox if "ZBM" in m.subject)
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["koordynatorka@example.org"]
    assert "Brak odpowiedzi" in message.subject and "Dzień dobry" in message.body
    assert "http://127.0.0.1:8000/admin/needs/problem/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "Otwórz" in str(html)
    assert 'href="http://127.0.0.1:8000/admin/needs/problem/' in str(html)


@pytest.mark.django_db(transaction=True)
def test_it_sends_each_email_once_when_two_sweeps_run_at_once(coordinator, assistant, club_staff):
    for user, address in ((coordinator, "k@example.org"),):
        user.email = address
        user.save(update_fields=["email"])
    for _ in range(5):
        overdue_referral(coordinator, days_late=2)
    mail.outbox.clear()
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        services.reminders_sweep()
        connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wanted = Notification.objects.filter(email_wanted=True).count()
    # Five overdue answers and five new problems: one notification listing each kind, one coordinator.
    assert wanted == 2
    assert len(mail.outbox) == wanted
    assert Reminder.objects.count() == 12
    listings = Reminder.objects.filter(object_key__startswith="list:").order_by("kind")
    assert [(r.kind, r.body.count("• ")) for r in listings] == [("answer_overdue", 5), ("new_problem", 5)]


def test_it_respects_email_turned_off_per_kind(coordinator, client):
    client.force_login(coordinator)
    client.post("/powiadomienia/ustawienia/", {"email_kinds": ["new_problem"]})
    assert EmailPreference.objects.get(user=coordinator, kind="answer_overdue").email is False
    overdue_referral(coordinator, days_late=2)
    mail.outbox.clear()
    services.reminders_sweep()
    assert [m.subject for m in mail.outbox if "ZBM" in m.subject] == []
    assert Notification.objects.filter(reminder__kind="answer_overdue").count() == 1  # still in the app


def test_it_notifies_a_user_without_an_address_only_in_the_app(assistant):
    assistant.email = ""
    assistant.save(update_fields=["email"])
    now = timezone.now()
    ShiftFactory.create(
        assistants=[assistant],
        planned_start=now - timedelta(hours=14),
        planned_end=now - timedelta(hours=12),
        status=Shift.Status.STARTED,
        started_at=now - timedelta(hours=14),
    )
    mail.outbox.clear()
    services.reminders_sweep()
    assert mail.outbox == [] and Notification.objects.get().email_wanted is False


@pytest.mark.parametrize(
    ("day", "hours"), [(date(2026, 10, 25), 25), (date(2026, 3, 29), 23), (date(2026, 11, 22), 24)]
)
def test_it_makes_the_daily_digest_of_a_local_day_across_dst(coordinator, day, hours):
    # A window of "midnight + 24 h" would end at 23:00 on the October day (missing the 23:30
    # problem) and at 01:00 the next day in March (wrongly taking the 00:30 one).
    inside = [datetime.combine(day, time(0, 0), tzinfo=WARSAW), datetime.combine(day, time(23, 30), tzinfo=WARSAW)]
    outside = [
        datetime.combine(day, time(0, 0), tzinfo=WARSAW) - timedelta(minutes=1),
        datetime.combine(day + timedelta(days=1), time(0, 30), tzinfo=WARSAW),
    ]
    problems = []
    for at in inside + outside:
        problem = report()
        type(problem).objects.filter(pk=problem.pk).update(reported_at=at)
        problems.append(problem.code)
    morning_after = datetime.combine(day + timedelta(days=1), time(7), tzinfo=WARSAW)
    mail.outbox.clear()
    services.digest_daily(now=morning_after)
    services.digest_daily(now=morning_after + timedelta(minutes=30))  # beat and cron both ran it
    digest = Reminder.objects.get(kind="daily_digest")
    assert digest.occurrence == day.isoformat()
    assert [code in digest.body for code in problems] == [True, True, False, False]
    assert "Nowe problemy: 2" in digest.body
    assert len([m for m in mail.outbox if "podsumowanie" in m.subject.lower()]) == 1
    start, end = services.day_window(day)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)


def test_it_lists_escalated_answers_first_and_untold_news_in_the_digest(coordinator, assistant):
    calm = overdue_referral(coordinator, days_late=1)
    late = overdue_referral(coordinator, days_late=8)
    place = PlaceFactory.create(name="Plac Zabaw")
    ShiftFactory.create(place=place, assistants=[assistant])
    untold = report(place=place)
    type(untold).objects.filter(pk=untold.pk).update(untold_since=timezone.now() - timedelta(days=5))
    services.digest_daily()
    body = Reminder.objects.get(kind="daily_digest").body
    assert "Spóźnione odpowiedzi instytucji: 2" in body
    lines = body.splitlines()
    escalated = next(i for i, line in enumerate(lines) if late.problem.code in line)
    plain = next(i for i, line in enumerate(lines) if calm.problem.code in line)
    assert "[ESKALACJA]" in lines[escalated] and "ESKALACJA" not in lines[plain] and escalated < plain
    assert "od ponad 3 dni: 1" in body and untold.code in body


def test_it_makes_the_weekly_summary_of_the_last_full_week_once(coordinator, assistant):
    monday = datetime(2026, 11, 23, 7, tzinfo=WARSAW)  # summary of 16-22 November

    def at(day, hour=12):
        return datetime(2026, 11, day, hour, tzinfo=WARSAW)

    for day, coffee in ((15, 50), (18, 10), (22, 5), (23, 99)):  # only the 18th and the 22nd count
        ShiftFactory.create(
            planned_start=at(day), planned_end=at(day, 14), status=Shift.Status.ENDED, coffee=coffee, adults=2
        )
    place = PlaceFactory.create()
    for day, stage in ((17, "using"), (17, "using"), (22, "discovery"), (23, "sharing")):
        ConversationNote.objects.create(place=place, date=date(2026, 11, day), stage=stage, text="")
    opened, earlier = report(), report()
    type(opened).objects.filter(pk=opened.pk).update(reported_at=at(19))
    type(earlier).objects.filter(pk=earlier.pk).update(reported_at=at(9))
    needs_services.problem_set_status(problem=earlier, status="resolved", by=coordinator, public_text="Naprawione")
    type(earlier).objects.filter(pk=earlier.pk).update(settled_at=at(20))  # settled on the 20th
    services.summary_weekly(now=monday)
    services.summary_weekly(now=monday + timedelta(hours=2))
    summary = Reminder.objects.get(kind="weekly_summary")
    assert summary.occurrence == "2026-W47" and summary.title == "Tygodniowe podsumowanie 16.11 – 22.11.2026"
    lines = summary.body.splitlines()
    assert "Odbyte dyżury: 2" in lines
    assert "  • podane kawy i herbaty: 15" in lines and "  • rozmowy z dorosłymi: 4" in lines
    assert "  • Korzystanie z usługi: 2" in lines and "  • Odkrywanie: 1" in lines and "  • Dzielenie się: 0" in lines
    assert "Problemy otwarte: 1; zamknięte: 1" in lines
    assert summary.notifications.get().recipient == coordinator


def test_it_counts_the_bell_down_as_notifications_are_read(
    coordinator_client, coordinator, assistant_client, django_assert_max_num_queries
):
    for days in range(1, 4):
        overdue_referral(coordinator, days_late=days)
    services.reminders_sweep()
    unread = Notification.objects.filter(recipient=coordinator).count()
    assert coordinator_client.get("/koordynator/").context["unread_notifications"] == unread
    html = coordinator_client.get("/powiadomienia/").content.decode()
    assert "Brak odpowiedzi" in html
    first = Notification.objects.filter(recipient=coordinator).earliest("pk")
    assert assistant_client.post(f"/powiadomienia/{first.pk}/przeczytane/").status_code == 404
    coordinator_client.post(f"/powiadomienia/{first.pk}/przeczytane/")
    assert coordinator_client.get("/koordynator/").context["unread_notifications"] == unread - 1
    coordinator_client.post("/powiadomienia/przeczytane/")
    assert coordinator_client.get("/koordynator/").context["unread_notifications"] == 0


def test_it_runs_the_sweep_from_the_send_reminders_command(coordinator, capsys):
    from django.core.management import call_command

    overdue_referral(coordinator, days_late=2)
    call_command("send_reminders")
    assert "due 2" in capsys.readouterr().out
    assert Reminder.objects.filter(kind="answer_overdue").exists()


def test_it_keeps_the_default_schedule_in_the_database():
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    # A transactional test elsewhere may have flushed the rows the migration made: run it again
    # (it is idempotent), which is also what a re-applied migration does.
    importlib.import_module("reminders.migrations.0002_default_schedule").create_schedule(apps, None)
    importlib.import_module("reminders.migrations.0002_default_schedule").create_schedule(apps, None)
    assert PeriodicTask.objects.filter(task__startswith="reminders.").count() == 3

    tasks = {t.task: t for t in PeriodicTask.objects.filter(task__startswith="reminders.")}
    assert tasks["reminders.sweep"].interval.every == 10 and tasks["reminders.sweep"].interval.period == "minutes"
    daily = tasks["reminders.daily_digest"].crontab
    assert (daily.hour, daily.minute, str(daily.timezone)) == ("7", "0", "Europe/Warsaw")
    assert tasks["reminders.weekly_summary"].crontab.day_of_week == "1"


def test_it_waits_a_day_before_asking_for_attendance(club_staff):
    session = make_activity(title="Animacje", starts_on=timezone.localdate() - timedelta(days=3)).sessions.get()
    services.reminders_sweep(now=session.ends_at + timedelta(hours=23))
    assert open_kinds() == []
    services.reminders_sweep(now=session.ends_at + timedelta(hours=25))
    assert open_kinds() == ["attendance_missing"]


@pytest.mark.parametrize("referrals", [1, 20])
def test_it_sweeps_with_the_same_queries_for_1_and_20_due(
    referrals, coordinator, assistant, django_assert_max_num_queries
):
    for _ in range(referrals):
        overdue_referral(coordinator, days_late=2)
    mail.outbox.clear()
    # Set-based throughout, and one e-mail per person per kind however many are due (each marked
    # sent right after sending, so a crash mid-batch resends nothing).
    with django_assert_max_num_queries(27):
        services.reminders_sweep()
    assert len(mail.outbox) == 2
    with django_assert_max_num_queries(20):
        services.reminders_sweep()  # nothing new: no per-row work at all


def test_the_weekly_summary_counts_a_problem_the_admin_settled_by_recording_an_answer(coordinator, coordinator_client):
    problem = report()
    referral = needs_services.problem_forward(problem=problem, institution=InstitutionFactory.create(), by=coordinator)
    r = coordinator_client.post(
        "/admin/needs/problem/",
        {
            "action": "record_answer",
            "_selected_action": [problem.pk],
            "apply": "1",
            "referral": referral.pk,
            "answer": "Lampę wymieniono",
            "outcome": "fixed",
            "public_text": "Lampa znowu świeci",
            "resolve": "resolved",
        },
    )
    assert r.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "resolved"
    today = timezone.localdate()
    next_monday = today + timedelta(days=7 - today.weekday())
    services.summary_weekly(now=datetime.combine(next_monday, time(7), tzinfo=WARSAW))
    body = Reminder.objects.get(kind="weekly_summary").body
    assert "Problemy otwarte: 1; zamknięte: 1" in body.splitlines()


def test_it_lists_many_new_items_in_one_notification_and_one_email_per_person_and_kind(coordinator, assistant):
    for days in range(1, 26):
        overdue_referral(coordinator, days_late=days)
    mail.outbox.clear()
    result = services.reminders_sweep()
    listings = Notification.objects.filter(recipient=coordinator, reminder__kind="answer_overdue")
    assert [n.reminder.title for n in listings] == ["Spóźniona odpowiedź instytucji — nowe: 25"]
    body = listings.get().reminder.body
    assert body.count("• ") == 20 and "… i jeszcze 5." in body
    assert listings.get().reminder.url == "/admin/needs/referral/?outcome__exact=pending"
    overdue_mails = [m for m in mail.outbox if "Spóźniona odpowiedź" in m.subject and m.to == [coordinator.email]]
    assert len(overdue_mails) == 1 and "… i jeszcze 5." in overdue_mails[0].body
    assert result.created == Notification.objects.count() == 2  # the new problems are listed in the other
    mail.outbox.clear()
    again = services.reminders_sweep()
    assert (again.created, again.emailed, mail.outbox) == (0, 0, [])


def test_it_never_puts_note_text_into_a_reminder_or_an_email(coordinator, assistant):
    shift = ShiftFactory.create(assistants=[assistant])
    secret = "Pani Zofia z parteru boi się sąsiada"
    ConversationNote.objects.create(shift=shift, place=shift.place, wants_follow_up=True, text=secret)
    problem = report(place=shift.place)
    type(problem).objects.filter(pk=problem.pk).update(description=secret)
    Reminder.objects.all().delete()
    mail.outbox.clear()
    services.reminders_sweep()
    assert Reminder.objects.filter(kind__in=["follow_up", "new_problem"]).count() == 2
    texts = [str(t) for r in Reminder.objects.all() for t in (r.title, r.body)]
    texts += [str(m.body) for m in mail.outbox] + [
        str(a[0]) for m in mail.outbox for a in getattr(m, "alternatives", [])
    ]
    assert mail.outbox and not [t for t in texts if "Zofia" in t]
