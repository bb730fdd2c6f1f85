"""Writes of the Club: activities and their sessions, cancellations, moves and attendance.

Sessions are real rows so that attendance belongs to one date. Times are wall-clock times in
Europe/Warsaw: a 17:00 class stays at 17:00 across the changes to and from summer time, so each
session's start is built from its date and the local time, never by adding days to an aware
datetime.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.models import User
from core.pii import FirstNameOnly, validate_no_pii
from core.query import local_datetime
from core.roles import is_coordinator

from .models import Activity, Room, Session

WARSAW = ZoneInfo("Europe/Warsaw")
HORIZON = timedelta(days=366)
MAX_COUNT = 500
ATTENDANCE_FIELDS = ("children", "youth", "adults", "seniors", "first_time")


def local(day: date, at: time) -> datetime:
    """A Warsaw wall-clock time; one the clocks skip in spring is refused (ValidationError)."""
    return local_datetime(day, at, tz=WARSAW)


def validate_leader_name(value: str) -> None:
    """A partner or resident leads by first name or nickname only, never a full name (the field's rule)."""
    FirstNameOnly()(value)


def occurrences(activity: Activity) -> list[date]:
    """The dates of an activity's sessions, from its recurrence rule."""
    if activity.recurrence == Activity.Recurrence.ONCE:
        return [activity.starts_on]
    last = min(activity.until or activity.starts_on + timedelta(weeks=12), activity.starts_on + HORIZON)
    first_monday = activity.starts_on - timedelta(days=activity.starts_on.weekday())
    weekdays = set(activity.weekdays or [activity.starts_on.weekday()])
    days = []
    day = activity.starts_on
    while day <= last:
        week = (day - first_monday).days // 7
        if day.weekday() in weekdays and week % max(activity.every_n_weeks, 1) == 0:
            days.append(day)
        day += timedelta(days=1)
    return days


def _describe(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    return f"{formats.date_format(start, 'd.m')} {start:%H:%M}–{end:%H:%M} „{session.activity.title}”"


def find_conflict(
    *,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    leader_user: User | None,
    leader_name: str,
    exclude: Iterable[int] = (),
) -> str | None:
    """A Polish message naming the first session that clashes, or None."""
    clash = Q(room=room)
    if leader_user is not None:
        clash |= Q(leader_user=leader_user)
    if leader_name:
        clash |= Q(leader_name__iexact=leader_name)
    other = (
        Session.objects.filter(clash, cancelled=False, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk__in=list(exclude))
        .select_related("activity", "room")
        .order_by("starts_at")
        .first()
    )
    if other is None:
        return None
    if other.room_id == room.pk:
        return _("%(room)s is taken at %(when)s.") % {"room": room.name, "when": _describe(other)}
    leader = other.leader_name or (str(other.leader_user) if other.leader_user else leader_name)
    return _("The leader %(leader)s already leads %(when)s.") % {"leader": leader, "when": _describe(other)}


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"end_time": _("The session must end after it starts.")})


def _lock_room(room: Room) -> None:
    # Two people booking the same room at once queue here instead of both passing the check.
    Room.objects.select_for_update().filter(pk=room.pk).first()


def _refuse_conflict(
    activity: Activity, starts_at: datetime, ends_at: datetime, *, exclude: list[int], planned: list[Session]
) -> None:
    """A session of ``activity`` at this time must not clash with the saved ones or those just planned."""
    conflict = find_conflict(
        room=activity.room,
        starts_at=starts_at,
        ends_at=ends_at,
        leader_user=activity.leader_user,
        leader_name=activity.leader_name,
        exclude=exclude,
    ) or _internal_conflict(planned, starts_at, ends_at)
    if conflict:
        raise ValidationError(conflict, code="conflict")


def _new_sessions(
    activity: Activity, days: Iterable[date], skip: set[date], exclude: Iterable[int] = ()
) -> list[Session]:
    made: list[Session] = []
    for day in days:
        starts_at, ends_at = local(day, activity.start_time), local(day, activity.end_time)
        if day in skip:
            continue
        _check_times(starts_at, ends_at)
        _refuse_conflict(activity, starts_at, ends_at, exclude=[*exclude, *(s.pk for s in made)], planned=made)
        made.append(
            Session.objects.create(
                activity=activity,
                starts_at=starts_at,
                ends_at=ends_at,
                room=activity.room,
                leader_user=activity.leader_user,
                leader_name=activity.leader_name,
            )
        )
    return made


def _internal_conflict(made: list[Session], starts_at: datetime, ends_at: datetime) -> str | None:
    for session in made:
        if session.starts_at < ends_at and session.ends_at > starts_at:
            return _("Two sessions of this series would overlap.")
    return None


def validate_schedule(activity: Activity) -> None:
    """The recurrence and time rules of an activity; errors are keyed by the form's fields."""
    if activity.recurrence == Activity.Recurrence.WEEKLY:
        if not activity.until:
            raise ValidationError({"until": _("A weekly activity needs a last date.")})
        if activity.until < activity.starts_on:
            raise ValidationError({"until": _("The last date must not be before the first one.")})
        if activity.until > activity.starts_on + HORIZON:
            raise ValidationError({"until": _("Plan at most a year ahead.")})
        if not activity.weekdays:
            raise ValidationError({"weekdays": _("Choose at least one weekday.")})
    if activity.end_time <= activity.start_time:
        raise ValidationError({"end_time": _("The session must end after it starts.")})


def _validate_activity(activity: Activity) -> None:
    validate_leader_name(activity.leader_name)
    validate_no_pii(activity.description, allow_addresses=True)
    validate_schedule(activity)


@transaction.atomic
def activity_create(*, by: User | None = None, **fields: Any) -> Activity:
    """Create an activity and all its sessions; nothing is saved if one session clashes."""
    activity = Activity(**fields)
    _validate_activity(activity)
    activity.save()
    _lock_room(activity.room)
    _new_sessions(activity, occurrences(activity), skip=set())
    return activity


@dataclass(frozen=True)
class SeriesChange:
    created: int
    updated: int
    removed: int
    kept_with_attendance: int


def _original_day(session: Session) -> date:
    return timezone.localdate(session.moved_from or session.starts_at)


@transaction.atomic
def activity_update_series(*, activity: Activity, **changes: Any) -> SeriesChange:
    """Change an activity; its future sessions follow, past and individually changed ones stay.

    A future session whose date still belongs to the series is updated in place, so it keeps its
    id (the calendar feed's UID) and its revision goes up; a calendar then moves the event instead
    of deleting it and adding another. Future sessions that already have attendance are kept as
    they are (and reported), never deleted with their counts. A session moved or cancelled by
    hand still holds its original date, so the series does not plan that date again.
    """
    for field, value in changes.items():
        setattr(activity, field, value)
    _validate_activity(activity)
    activity.save()
    _lock_room(activity.room)
    now = timezone.now()
    future = activity.sessions.filter(starts_at__gt=now, detached=False)
    kept = list(future.filter(attendance_recorded_at__isnull=False))
    pending = {timezone.localdate(s.starts_at): s for s in future.filter(attendance_recorded_at__isnull=True)}
    taken = {timezone.localdate(s.starts_at) for s in activity.sessions.filter(starts_at__lte=now, detached=False)}
    taken |= {_original_day(s) for s in activity.sessions.filter(detached=True)}
    taken |= {timezone.localdate(s.starts_at) for s in kept}
    days = [d for d in occurrences(activity) if local(d, activity.start_time) > now and d not in taken]
    gone = [s.pk for d, s in pending.items() if d not in days]
    removed, _ = Session.objects.filter(pk__in=gone).delete()
    rewritten = [s.pk for d, s in pending.items() if d in days]
    updated = 0
    done: list[Session] = []
    for day in days:
        session = pending.get(day)
        if session is None:
            continue
        starts_at, ends_at = local(day, activity.start_time), local(day, activity.end_time)
        _refuse_conflict(activity, starts_at, ends_at, exclude=rewritten, planned=done)
        session.starts_at, session.ends_at = starts_at, ends_at
        session.room, session.leader_user, session.leader_name = (
            activity.room,
            activity.leader_user,
            activity.leader_name,
        )
        _bump(session, ["starts_at", "ends_at", "room", "leader_user", "leader_name"])
        done.append(session)
        updated += 1
    created = _new_sessions(activity, [d for d in days if d not in pending], skip=set(), exclude=rewritten)
    return SeriesChange(created=len(created), updated=updated, removed=removed, kept_with_attendance=len(kept))


def _bump(session: Session, fields: list[str]) -> None:
    session.sequence += 1
    session.save(update_fields=[*fields, "sequence"])


def _allow_change(*, session: Session, by: User | None, correction_reason: str) -> None:
    """A session that has begun stays as it happened; a coordinator may correct it, saying why
    (the reason is kept in the session's history)."""
    if not session.has_started():
        return
    if by is None or not is_coordinator(by):
        raise ValidationError(
            _("This session has already taken place; only a coordinator can correct it."), code="past"
        )
    correction_reason = correction_reason.strip()
    if not correction_reason:
        raise ValidationError({"correction_reason": _("Say why a past session is being corrected.")})
    validate_no_pii(correction_reason)
    session._change_reason = correction_reason  # type: ignore[attr-defined]  # kept by simple_history


@transaction.atomic
def session_cancel(*, session: Session, reason: str, by: User | None = None, correction_reason: str = "") -> Session:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, residents will see it.")})
    validate_no_pii(reason)
    _allow_change(session=session, by=by, correction_reason=correction_reason)
    session.cancelled = True
    session.cancel_reason = reason
    session.detached = True
    _bump(session, ["cancelled", "cancel_reason", "detached"])
    return session


@transaction.atomic
def session_move(
    *,
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    room: Room | None = None,
    by: User | None = None,
    correction_reason: str = "",
) -> Session:
    _allow_change(session=session, by=by, correction_reason=correction_reason)
    room = room or session.room
    _check_times(starts_at, ends_at)
    _lock_room(room)
    conflict = find_conflict(
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
        leader_user=session.leader_user,
        leader_name=session.leader_name,
        exclude=[session.pk],
    )
    if conflict:
        raise ValidationError(conflict, code="conflict")
    if session.moved_from is None:
        session.moved_from = session.starts_at
    session.starts_at, session.ends_at, session.room = starts_at, ends_at, room
    session.detached = True
    _bump(session, ["starts_at", "ends_at", "room", "moved_from", "detached"])
    return session


@transaction.atomic
def session_set_leader(*, session: Session, leader_user: User | None, leader_name: str) -> Session:
    validate_leader_name(leader_name)
    conflict = find_conflict(
        room=session.room,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        leader_user=leader_user,
        leader_name=leader_name,
        exclude=[session.pk],
    )
    if conflict and session.room.name not in conflict:
        raise ValidationError(conflict, code="conflict")
    session.leader_user, session.leader_name, session.detached = leader_user, leader_name, True
    _bump(session, ["leader_user", "leader_name", "detached"])
    return session


def session_record_attendance(*, session: Session, by: User | None, **counts: int | None) -> Session:
    """Counts by group, never names. Re-recording overwrites the numbers (a correction)."""
    errors: dict[str, str] = {}
    for field in ATTENDANCE_FIELDS:
        value = counts.get(field) or 0
        if value < 0:
            errors[field] = _("A count cannot be negative.")
        elif value > MAX_COUNT:
            errors[field] = _("That is more than %(max)s people: check the number.") % {"max": MAX_COUNT}
    total = sum((counts.get(f) or 0) for f in ("children", "youth", "adults", "seniors"))
    if (counts.get("first_time") or 0) > total:
        errors["first_time"] = _("There cannot be more first-time visitors than people in total.")
    if session.cancelled:
        errors["__all__"] = _("This session was cancelled.")
    if errors:
        raise ValidationError(errors)
    for field in ATTENDANCE_FIELDS:
        setattr(session, field, counts.get(field) or 0)
    session.attendance_recorded_at = timezone.now()
    session.attendance_recorded_by = by
    session.save(update_fields=[*ATTENDANCE_FIELDS, "attendance_recorded_at", "attendance_recorded_by"])
    return session


class _DryRun(Exception):
    pass


def planned_conflict(activity: Activity) -> str | None:
    """Plan an unsaved (or changed) activity's sessions and roll back: the clash the save would meet.

    The admin form asks this before its save, so it runs the very service the save will run.
    Field errors return None: the form reports those on their fields.
    """
    fields = {name: getattr(activity, name) for name in Activity.EDITABLE_FIELDS}
    try:
        with transaction.atomic():
            if activity.pk:
                activity_update_series(activity=Activity.objects.get(pk=activity.pk), **fields)
            else:
                activity_create(**fields)
            raise _DryRun
    except _DryRun:
        return None
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            return None
        return " ".join(error.messages)
