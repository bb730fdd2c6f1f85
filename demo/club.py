"""A realistic month of the Residents' Club around today."""

from datetime import date, time, timedelta
from typing import Any

from django.utils import timezone

from club import services
from club.models import Activity, Room, Session

ROOMS = [("Sala Duża", 40), ("Sala Mała", 15), ("Kuchnia", 10), ("Podwórko Klubu", 60)]


def _activity(title: str, **fields: Any) -> Activity:
    existing = Activity.objects.filter(title=title, starts_on=fields["starts_on"]).first()
    return existing or services.activity_create(title=title, **fields)


def seed(users: dict[str, Any]) -> None:
    rooms = {name: Room.objects.get_or_create(name=name, defaults={"capacity": cap})[0] for name, cap in ROOMS}
    today = timezone.localdate()
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=2)
    until = start + timedelta(weeks=6)
    staff = users["klub"]
    weekly = {"recurrence": Activity.Recurrence.WEEKLY, "starts_on": start, "until": until, "every_n_weeks": 1}
    _activity(
        "Animacje dla dzieci",
        kind=Activity.Kind.ANIMATIONS,
        audience=Activity.Audience.CHILDREN,
        room=rooms["Sala Duża"],
        leader_user=staff,
        weekdays=[0, 2, 4],
        start_time=time(16),
        end_time=time(17, 30),
        description="Gry, zabawy ruchowe i plastyka dla dzieci 5–12 lat. Rodzice mogą zostać na kawę.",
        **weekly,
    )
    _activity(
        "Szachy dla seniorów",
        kind=Activity.Kind.HOBBY,
        audience=Activity.Audience.SENIORS,
        room=rooms["Sala Mała"],
        leader_name="Heniu",
        weekdays=[1],
        start_time=time(10),
        end_time=time(12),
        description="Partie przy herbacie; uczymy też początkujących.",
        **weekly,
    )
    _activity(
        "Zajęcia plastyczne",
        kind=Activity.Kind.WORKSHOP,
        audience=Activity.Audience.ALL,
        room=rooms["Sala Mała"],
        leader_user=staff,
        weekdays=[3],
        start_time=time(17),
        end_time=time(18, 30),
        description="Malowanie, decoupage, ozdoby z recyklingu.",
        **weekly,
    )
    _activity(
        "Klub młodzieżowy",
        kind=Activity.Kind.MEETING,
        audience=Activity.Audience.YOUTH,
        room=rooms["Sala Duża"],
        leader_user=staff,
        weekdays=[1, 3],
        start_time=time(18, 30),
        end_time=time(20, 30),
        description="Gry planszowe, muzyka, rozmowy. Dla osób 13–18 lat.",
        **weekly,
    )
    _activity(
        "Pokaż swoją pasję: pierogi jak u babci",
        kind=Activity.Kind.SHOW_YOUR_SKILL,
        audience=Activity.Audience.ALL,
        room=rooms["Kuchnia"],
        leader_name="Basia",
        recurrence=Activity.Recurrence.ONCE,
        starts_on=today + timedelta(days=(5 - today.weekday()) % 7 or 7),
        start_time=time(11),
        end_time=time(13),
        description="Mieszkanka uczy lepić pierogi. Składniki zapewnia Klub.",
    )
    _activity(
        "Pokaż swoją pasję: naprawa rowerów",
        kind=Activity.Kind.SHOW_YOUR_SKILL,
        audience=Activity.Audience.YOUTH,
        room=rooms["Podwórko Klubu"],
        leader_name="Mietek",
        recurrence=Activity.Recurrence.ONCE,
        starts_on=start + timedelta(days=12),
        start_time=time(15),
        end_time=time(17),
        description="Jak załatać dętkę i wyregulować hamulce.",
    )
    _activity(
        "Wyjście do kina",
        kind=Activity.Kind.OUTING,
        audience=Activity.Audience.ALL,
        room=rooms["Sala Duża"],
        leader_user=staff,
        recurrence=Activity.Recurrence.ONCE,
        starts_on=today + timedelta(days=9),
        start_time=time(12),
        end_time=time(15),
        description="Zbiórka przed Klubem, bilety opłaca Klub.",
    )
    # Tomorrow's session without a leader (somebody has to step in).
    _activity(
        "Spotkanie sąsiedzkie",
        kind=Activity.Kind.MEETING,
        audience=Activity.Audience.ADULTS,
        room=rooms["Sala Mała"],
        recurrence=Activity.Recurrence.ONCE,
        starts_on=today + timedelta(days=1),
        start_time=time(19, 30),
        end_time=time(21),
        description="Wspólne planowanie sprzątania podwórek.",
    )
    _past_attendance(today)
    _cancel_one(today)


def _past_attendance(today: date) -> None:
    """Attendance for past sessions, except the most recent one (still to be recorded)."""
    past = list(Session.objects.filter(ends_at__lt=timezone.now(), cancelled=False).order_by("starts_at"))
    for n, session in enumerate(past[:-1]):
        if session.attendance_recorded_at is None:
            kids = session.activity.audience in ("children", "all")
            services.session_record_attendance(
                session=session,
                by=None,
                children=(6 + n % 7) if kids else 0,
                youth=(4 + n % 5) if session.activity.audience in ("youth", "all") else 0,
                adults=1 + n % 3,
                seniors=(5 + n % 4) if session.activity.audience in ("seniors", "all") else n % 2,
                first_time=n % 3,
            )


def _cancel_one(today: date) -> None:
    target = Session.objects.filter(
        activity__title="Zajęcia plastyczne", starts_at__date__gt=today, cancelled=False
    ).first()
    if target and not Session.objects.filter(activity__title="Zajęcia plastyczne", cancelled=True).exists():
        services.session_cancel(session=target, reason="Prowadząca chora — zapraszamy za tydzień.")
