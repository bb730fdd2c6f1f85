"""Reads shared by the problem pages, the public status page, the API and Open311."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone

from core.models import User
from core.roles import is_coordinator

from . import geo
from .models import Problem, ProblemCategory, ProblemEvent, Referral

__all__ = ["is_coordinator"]  # re-exported for the views that ask


def problems_base() -> QuerySet[Problem]:
    return Problem.objects.select_related("category", "place")


def problems_visible_to(user: User) -> QuerySet[Problem]:
    """Problem.objects.visible_to, with category and place joined."""
    return Problem.objects.visible_to(user).select_related("category", "place")


def with_overdue(qs: QuerySet[Problem]) -> QuerySet[Problem]:
    return qs.with_overdue(timezone.localdate())  # type: ignore[attr-defined]


def problems_untold_at(*, place_id: int) -> QuerySet[Problem]:
    """Problems reported at a place with public news residents there have not heard yet."""
    latest = ProblemEvent.objects.exclude(public_text="").order_by("-at", "-pk")
    return (
        Problem.objects.untold()
        .filter(place_id=place_id)
        .select_related("category")
        .prefetch_related(Prefetch("events", queryset=latest, to_attr="public_events"))
        .order_by("untold_since")
    )


def public_timeline(problem: Problem) -> list[ProblemEvent]:
    """Only what residents may see: the public texts and dates, never who or internal notes."""
    return list(
        problem.events.exclude(public_text="").only("at", "kind", "public_text", "problem_id").order_by("at", "pk")
    )


def expected_answer(problem: Problem) -> object:
    return problem.referrals.awaiting().aggregate(d=Min("due_on"))["d"]


def overdue_referrals() -> QuerySet[Referral]:
    return Referral.objects.overdue(timezone.localdate()).select_related("problem", "institution")


def recent_window(days: int = 90) -> object:
    return timezone.now() - timedelta(days=days)


def nearest_place(lat: Decimal | float, lon: Decimal | float) -> Any:
    """The active place closest to the point, within PROBLEM_NEAREST_PLACE_METRES; None when there is none."""
    radius = settings.PROBLEM_NEAREST_PLACE_METRES
    # needs does not import duty; the place model is named, not imported.
    places = geo.within_box(
        apps.get_model("duty", "Place").objects.filter(active=True, lat__isnull=False, lon__isnull=False),
        lat,
        lon,
        radius,
    )
    best, best_m = None, float(radius)
    for place in places:
        d = geo.metres(float(lat), float(lon), float(place.lat), float(place.lon))
        if d <= best_m:
            best, best_m = place, d
    return best


def problems_similar(
    *,
    category: ProblemCategory,
    place: Any = None,
    lat: Decimal | float | None = None,
    lon: Decimal | float | None = None,
    limit: int = 5,
    within: QuerySet[Problem] | None = None,
) -> list[Problem]:
    """Open problems a new report would duplicate: same category, and the same place or within
    PROBLEM_SIMILAR_METRES of the point (the nearest first). ``within`` narrows to what a user may see."""
    base = within if within is not None else Problem.objects.all()
    qs = base.open().filter(category=category).select_related("category", "place")  # type: ignore[attr-defined]
    if place is not None:
        return list(qs.filter(place=place).order_by("-supporters", "-reported_at")[:limit])
    if lat is None or lon is None:
        return []
    radius = settings.PROBLEM_SIMILAR_METRES
    near = []
    # A problem at a place is as far as the place; one without a place, as far as its own point.
    for p in geo.within_box(qs, lat, lon, radius) | qs.filter(
        place__in=geo.within_box(apps.get_model("duty", "Place").objects.all(), lat, lon, radius)
    ):
        point = (p.place.lat, p.place.lon) if p.place and p.place.lat is not None else (p.lat, p.lon)
        if point[0] is None or point[1] is None:
            continue
        d = geo.metres(float(lat), float(lon), float(point[0]), float(point[1]))
        if d <= radius:
            near.append((d, p))
    near.sort(key=lambda pair: pair[0])
    return [p for _d, p in near[:limit]]


def fix_check_due_at(*, place_id: int, now: datetime | None = None) -> list[Problem]:
    """Resolved problems of this place whose residents should be asked whether the fix holds."""
    now = now or timezone.now()
    return list(
        Problem.objects.fix_check_due(now).filter(place_id=place_id).select_related("category").order_by("settled_at")
    )


def original_of(problem: Problem) -> Problem:
    """The problem a merged one was merged into (through a chain of merges); itself when not merged."""
    seen = {problem.pk}
    while problem.duplicate_of_id and problem.duplicate_of_id not in seen:
        seen.add(problem.duplicate_of_id)
        problem = Problem.objects.select_related("category", "place").get(pk=problem.duplicate_of_id)
    return problem
