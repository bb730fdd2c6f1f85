"""Reads shared by the problem pages, the public status page, the API and Open311."""

from datetime import timedelta

from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone

from core.models import User
from core.roles import is_coordinator

from .models import Problem, ProblemEvent, Referral

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
