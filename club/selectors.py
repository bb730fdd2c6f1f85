from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import Room, Session
from .services import WARSAW


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def sessions_between(start: date, end: date, *, public_only: bool = False) -> QuerySet[Session]:
    qs = Session.objects.filter(
        starts_at__gte=datetime.combine(start, time.min, tzinfo=WARSAW),
        starts_at__lt=datetime.combine(end, time.min, tzinfo=WARSAW),
    ).select_related("activity", "room", "leader_user")
    if public_only:
        qs = qs.filter(activity__public=True)
    return qs.order_by("starts_at")


def by_day(sessions: QuerySet[Session]) -> list[tuple[date, list[Session]]]:
    days: dict[date, list[Session]] = {}
    for session in sessions:
        days.setdefault(timezone.localdate(session.starts_at), []).append(session)
    return sorted(days.items())


def rooms_grid(monday: date) -> tuple[list[date], list[tuple[Room, list[list[Session]]]]]:
    days = [monday + timedelta(days=i) for i in range(7)]
    cells: dict[tuple[int, date], list[Session]] = {}
    for session in sessions_between(monday, monday + timedelta(days=7)):
        cells.setdefault((session.room_id, timezone.localdate(session.starts_at)), []).append(session)
    rows = [(room, [cells.get((room.pk, d), []) for d in days]) for room in Room.objects.filter(active=True)]
    return days, rows
