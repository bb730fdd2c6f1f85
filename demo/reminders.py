"""Demo data that leaves at least one case of every rule due, then runs the sweep once and makes
yesterday's digest and last week's summary (rule 6), so the coordinator's bell shows them too.

Idempotent: the rows it makes have fixed client ids or titles, and the rows of the other demos
it adjusts are only moved back into the state the rule looks for.
"""

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from club import services as club_services
from club.models import Activity, Room, Session
from duty.models import Place, Shift
from needs.models import Problem, Referral
from reminders import services

DEMO_NS = uuid.UUID("6f3b1600-0000-4000-8000-000000000006")
BOARD_GAMES = "Wieczór gier planszowych"


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NS, name)


def _overdue_answer(today: Any) -> None:
    """Rule 1: some institution is late (the needs demo has one; keep it late on later days)."""
    unanswered = Referral.objects.awaiting()
    if not Referral.objects.overdue(today).exists():
        oldest = unanswered.order_by("sent_on", "pk").first()
        if oldest:
            Referral.objects.filter(pk=oldest.pk).update(due_on=today - timedelta(days=5))


def _untold_news(now: datetime) -> None:
    """Rule 2: news that has waited longer than the threshold for residents to hear it."""
    cutoff = now - timedelta(days=settings.REMINDER_UNTOLD_DAYS)
    untold = Problem.objects.untold().filter(place__isnull=False)
    if not untold.untold(before=cutoff).exists():
        first = untold.order_by("untold_since").first()
        if first:
            Problem.objects.filter(pk=first.pk).update(untold_since=cutoff - timedelta(days=2))


def _open_shift(now: datetime, users: dict[str, Any]) -> None:
    """Rule 3: last night's shift was never ended."""
    start = now - timedelta(hours=13)
    place = Place.objects.order_by("name").last()
    if place is None:
        return
    shift = Shift.objects.filter(client_uuid=_key("open-shift")).first()
    if shift is None:
        shift = Shift.objects.create(
            client_uuid=_key("open-shift"),
            place=place,
            planned_start=start,
            planned_end=start + timedelta(hours=2),
            status=Shift.Status.STARTED,
            started_at=start,
            coffee=6,
            adults=3,
        )
    elif shift.status != Shift.Status.STARTED:
        Shift.objects.filter(pk=shift.pk).update(
            status=Shift.Status.STARTED, started_at=start, planned_start=start, planned_end=start + timedelta(hours=2)
        )
    shift.assistants.set([users["asystent2"]])


def _unassigned_shift(today: Any) -> None:
    """Rule 4: tomorrow afternoon's shift has nobody yet."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(today + timedelta(days=1), time(17), tzinfo=tz)
    place = Place.objects.order_by("name").first()
    if place is None:
        return
    shift, created = Shift.objects.get_or_create(
        client_uuid=_key("unassigned-tomorrow"),
        defaults={"place": place, "planned_start": start, "planned_end": start + timedelta(hours=2)},
    )
    if not created and shift.status == Shift.Status.PLANNED and shift.planned_start < start:
        Shift.objects.filter(pk=shift.pk).update(planned_start=start, planned_end=start + timedelta(hours=2))
    shift.assistants.clear()


def _leaderless_session(today: Any) -> None:
    """Rule 5a: tomorrow evening's board games have no leader yet."""
    tomorrow = today + timedelta(days=1)
    activity = Activity.objects.filter(title=BOARD_GAMES).first()
    session = activity.sessions.order_by("-starts_at").first() if activity else None
    if session and session.starts_at >= timezone.now():
        return
    # The first room and evening hour that clash with nothing the Club demo planned.
    for room in Room.objects.order_by("name"):
        for hour in (19, 18, 20):
            starts_at = club_services.local(tomorrow, time(hour))
            ends_at = starts_at + timedelta(hours=1, minutes=30)
            clash = club_services.find_conflict(
                room=room,
                starts_at=starts_at,
                ends_at=ends_at,
                leader_user=None,
                leader_name="",
                exclude=[session.pk] if session else [],
            )
            if clash is None:
                break
        else:
            continue
        break
    else:
        return
    if activity is None:
        club_services.activity_create(
            title=BOARD_GAMES,
            kind=Activity.Kind.MEETING,
            room=room,
            starts_on=tomorrow,
            start_time=time(hour),
            end_time=(starts_at + timedelta(hours=1, minutes=30)).time(),
            description="Planszówki dla dorosłych i młodzieży; gry są na miejscu.",
        )
    elif session:
        Session.objects.filter(pk=session.pk).update(
            starts_at=starts_at, ends_at=ends_at, room=room, leader_user=None, leader_name="", cancelled=False
        )


def _attendance_missing(now: datetime) -> None:
    """Rule 5b: the latest session two days back still waits for its attendance."""
    session = (
        Session.objects.filter(
            cancelled=False, ends_at__lt=now - timedelta(days=2), ends_at__gte=now - timedelta(days=14)
        )
        .order_by("-ends_at")
        .first()
    )
    if session and session.attendance_recorded_at is not None:
        Session.objects.filter(pk=session.pk).update(
            attendance_recorded_at=None, children=None, youth=None, adults=None, seniors=None, first_time=None
        )


def seed(users: dict[str, Any]) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    _overdue_answer(today)
    _untold_news(now)
    _open_shift(now, users)
    _unassigned_shift(today)
    _leaderless_session(today)
    _attendance_missing(now)
    services.reminders_sweep(now=now)
    services.digest_daily(now=now)
    services.summary_weekly(now=now)
