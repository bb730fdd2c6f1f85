"""Reads shared by the duty pages and the API, with their related rows already joined."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from core.models import User
from core.roles import is_coordinator
from needs.models import Problem, ProblemEvent, ProblemSupport

from .models import ConversationNote, Place, Shift, Touchpoint

__all__ = ["is_coordinator"]  # re-exported for the views that ask


def shifts_visible_to(user: User) -> QuerySet[Shift]:
    """Shift.objects.visible_to, with the place and assistants joined."""
    return Shift.objects.visible_to(user).select_related("place").prefetch_related("assistants")


def notes_visible_to(user: User) -> QuerySet[ConversationNote]:
    """ConversationNote.objects.visible_to, with place, shift and needs joined."""
    return (
        ConversationNote.objects.visible_to(user)
        .select_related("place", "shift")
        .prefetch_related("needs", "problems", "problem_supports__problem")
    )


# The expression the full-text index of notes is built on (migration 0004): Polish words match with
# or without diacritics ("swieci" finds "świeci"), no stemming, so nothing is lost to a wrong stem.
NOTE_TEXT_VECTOR = "to_tsvector('simple'::regconfig, ma_unaccent(duty_conversationnote.text))"


def text_search_q(term: str) -> Q:
    """Notes whose text has every word of ``term`` (each as a prefix: "remont" finds "remontu")."""
    words = re.findall(r"\w+", term.lower())[:8]
    if not words:
        return Q(pk__in=[])
    if connection.vendor != "postgresql":  # the SQLite demo: no index to use, a plain LIKE per word
        q = Q()
        for word in words:
            q &= Q(text__icontains=word)
        return q
    tsquery = " & ".join(f"{w}:*" for w in words)
    matches = RawSQL(  # noqa: S611 - the words go in as a bound parameter
        f"{NOTE_TEXT_VECTOR} @@ to_tsquery('simple'::regconfig, ma_unaccent(%s))",
        [tsquery],
        output_field=BooleanField(),
    )
    return Q(matches)


def current_shift_for(user: User) -> Shift | None:
    """The shift the assistant is on now, or the planned one that may be started now: from
    ``SHIFT_START_EARLY_MINUTES`` before its planned start until its planned end."""
    qs = shifts_visible_to(user).filter(assistants=user)
    started = qs.filter(status=Shift.Status.STARTED).order_by("-started_at").first()
    if started:
        return started
    now = timezone.now()
    return (
        qs.filter(status=Shift.Status.PLANNED, planned_start__lte=now + start_lead(), planned_end__gt=now)
        .order_by("planned_start")
        .first()
    )


def start_lead() -> timedelta:
    return timedelta(minutes=settings.SHIFT_START_EARLY_MINUTES)


def next_shifts_for(user: User, *, limit: int = 5) -> QuerySet[Shift]:
    """The assistant's planned shifts that are still ahead, the nearest first."""
    return (
        shifts_visible_to(user)
        .filter(assistants=user, status=Shift.Status.PLANNED, planned_start__gt=timezone.now())
        .order_by("planned_start")[:limit]
    )


def ended_today_for(user: User) -> Shift | None:
    today_start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return (
        shifts_visible_to(user)
        .filter(assistants=user, status=Shift.Status.ENDED, ended_at__gte=today_start)
        .order_by("-ended_at")
        .first()
    )


def week_plan(*, monday: date) -> tuple[list[Place], list[date], dict[tuple[int, date], list[Shift]]]:
    """Shifts of one week as a grid: place × day."""
    days = [monday + timedelta(days=i) for i in range(7)]
    start = timezone.make_aware(datetime.combine(monday, time.min))
    end = start + timedelta(days=7)
    shifts = (
        Shift.objects.filter(planned_start__gte=start, planned_start__lt=end)
        .exclude(status=Shift.Status.CANCELLED)
        .select_related("place")
        .prefetch_related("assistants")
        .order_by("planned_start")
    )
    grid: dict[tuple[int, date], list[Shift]] = {}
    place_ids = set()
    for shift in shifts:
        grid.setdefault((shift.place_id, timezone.localdate(shift.planned_start)), []).append(shift)
        place_ids.add(shift.place_id)
    places = list(Place.objects.filter(Q(active=True) | Q(pk__in=place_ids)))
    return places, days, grid


def nearest_places(*, lat: Decimal | float, lon: Decimal | float, limit: int = 3) -> list[tuple[Place, float]]:
    """Active places with coordinates, nearest first, with the distance in metres."""
    from math import asin, cos, radians, sin, sqrt

    lat_f, lon_f = float(lat), float(lon)
    found = []
    for place in Place.objects.filter(active=True, lat__isnull=False, lon__isnull=False):
        dlat = radians(float(place.lat) - lat_f)  # type: ignore[arg-type]
        dlon = radians(float(place.lon) - lon_f)  # type: ignore[arg-type]
        a = sin(dlat / 2) ** 2 + cos(radians(lat_f)) * cos(radians(float(place.lat))) * sin(dlon / 2) ** 2  # type: ignore[arg-type]
        found.append((place, 2 * 6_371_000 * asin(sqrt(a))))
    return sorted(found, key=lambda pair: pair[1])[:limit]


def places_for_geolocation() -> list[dict[str, object]]:
    """Active places with coordinates, for the phone to pick the nearest one itself."""
    return [
        {"id": p.pk, "name": p.name, "lat": float(p.lat), "lon": float(p.lon)}  # type: ignore[arg-type]
        for p in Place.objects.filter(active=True, lat__isnull=False, lon__isnull=False).only(
            "id", "name", "lat", "lon"
        )
    ]


def shift_thread(shift: Shift) -> dict[str, Any]:
    """What came of a shift: problems reported from its notes (new ones and voices added to known ones),
    problems whose news residents were told at its place while it ran, and the touchpoints used."""
    reported = list(Problem.objects.filter(note__shift=shift).select_related("category").order_by("reported_at"))
    voices = list(ProblemSupport.objects.filter(note__shift=shift).select_related("problem__category").order_by("at"))
    told: list[Any] = []
    if shift.started_at:
        end = shift.ended_at or timezone.now()
        told = list(
            ProblemEvent.objects.filter(
                kind=ProblemEvent.Kind.FEEDBACK_TOLD,
                problem__place_id=shift.place_id,
                at__gte=shift.started_at,
                at__lte=end,
            )
            .select_related("problem__category")
            .order_by("at")
        )
    labels = dict(Touchpoint.choices)
    return {
        "reported": reported,
        "voices": voices,
        "told": told,
        "touchpoints": [labels.get(t, t) for t in shift.touchpoints],
    }
