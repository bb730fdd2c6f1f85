"""Hand-built service history, made through the services the phone and the admin use.

Times are what the tests are about, so a few timestamps the services set to "now" (a report, the
moment residents were told) are moved afterwards to the instant the test names.
"""

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from club import services as club_services
from club.models import Session
from club.tests.factories import RoomFactory
from conftest import make_user
from core.models import User
from core.roles import COORDINATOR
from duty import services as duty_services
from duty.models import ConversationNote, Place, Shift
from needs import services as needs_services
from needs.models import Need, Problem, ProblemCategory, ProblemEvent


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    """A local (Warsaw) wall-clock time."""
    y, m, d = (int(x) for x in day.split("-"))
    return timezone.make_aware(datetime(y, m, d, hour, minute))


def place(name: str, lat: str | None = "50.0971", lon: str | None = "18.5418") -> Place:
    return Place.objects.create(
        name=name, lat=Decimal(lat) if lat else None, lon=Decimal(lon) if lon else None, kind=Place.Kind.COURTYARD
    )


def held_shift(where: Place, start: datetime, *, hours: float = 2, **counters: int) -> Shift:
    """A shift planned, started, counted and ended, as on the phone."""
    end = start + timedelta(hours=hours)
    shift, _ = duty_services.shift_plan(place=where, planned_start=start, planned_end=end, assistants=[], by=None)
    shift = duty_services.shift_start(shift=shift, at=start)
    for counter, n in counters.items():
        while n > 0:
            step = min(n, duty_services.MAX_TAP)
            duty_services.shift_tap_counter(shift=shift, counter=counter, delta=step, client_uuid=uuid.uuid4(), by=None)
            n -= step
    duty_services.shift_end(shift=shift, at=end)
    shift.refresh_from_db()
    return shift


def need(code: str, name: str | None = None) -> Need:
    return Need.objects.get_or_create(code=code, defaults={"name": name or code.capitalize()})[0]


def note(
    where: Place, day: str, *, needs: Sequence[Need] = (), stage: str = ConversationNote.Stage.FIRST_CONTACT
) -> ConversationNote:
    n, _ = duty_services.note_create(
        shift=None,
        place=where,
        date=date.fromisoformat(day),
        text="",
        needs=list(needs),
        stage=stage,
        by=None,
        client_uuid=uuid.uuid4(),
    )
    return n


def category() -> ProblemCategory:
    return ProblemCategory.objects.get_or_create(code="lighting", defaults={"name": "Oświetlenie"})[0]


def problem(where: Place | None, reported: datetime, *, told: datetime | None = None, location: str = "") -> Problem:
    p, _ = needs_services.problem_report(
        category=category(), description="Nie świeci lampa przy wejściu", by=None, place=where, location=location
    )
    Problem.objects.filter(pk=p.pk).update(reported_at=reported)
    ProblemEvent.objects.filter(problem=p).update(at=reported)
    if told is not None:
        needs_services.problem_feedback_told(problem=p, by=None)
        ProblemEvent.objects.filter(problem=p, kind=ProblemEvent.Kind.FEEDBACK_TOLD).update(at=told)
    p.refresh_from_db()
    return p


def club_session(start: datetime, *, cancelled: bool = False, **counts: int) -> Session:
    room = RoomFactory.create(name="Sala główna")
    activity = club_services.activity_create(
        title=f"Zajęcia {start:%Y%m%d%H%M}",
        room=room,
        starts_on=timezone.localtime(start).date(),
        start_time=timezone.localtime(start).time(),
        end_time=(timezone.localtime(start) + timedelta(hours=1)).time(),
    )
    session = activity.sessions.get()
    if counts:
        club_services.session_record_attendance(session=session, by=None, **counts)
    if cancelled:
        club_services.session_cancel(
            session=session,
            reason="Choroba prowadzącej",
            by=coordinator(),
            correction_reason="Odwołane w ostatniej chwili",
        )
    session.refresh_from_db()
    return session


def coordinator() -> User:
    """The coordinator who corrects past sessions in these stories."""
    found = User.objects.filter(username="koordynator_klubu").first()
    return found or make_user("koordynator_klubu", COORDINATOR)
