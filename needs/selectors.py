"""Reads shared by the problem pages, the public status page, the API and Open311."""

from datetime import timedelta

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from core.models import User
from core.roles import ASSISTANT, COORDINATOR, user_roles

from .models import Problem, ProblemEvent, Referral


def problems_base() -> QuerySet[Problem]:
    return Problem.objects.select_related("category", "place")


def is_coordinator(user: User) -> bool:
    return user.is_superuser or COORDINATOR in user_roles(user)


def problems_visible_to(user: User) -> QuerySet[Problem]:
    """Coordinators: all. Assistants: problems at places where they work, and their own reports."""
    roles = user_roles(user)
    qs = problems_base()
    if user.is_superuser or COORDINATOR in roles:
        return qs
    if ASSISTANT in roles:
        from django.apps import apps

        shift = apps.get_model("duty", "Shift")
        places = shift.objects.filter(assistants=user).values("place_id")
        return qs.filter(Q(place_id__in=places) | Q(reported_by=user))
    return qs.none()


def with_overdue(qs: QuerySet[Problem]) -> QuerySet[Problem]:
    overdue = Referral.objects.filter(problem=OuterRef("pk"), answered_on__isnull=True, due_on__lt=timezone.localdate())
    return qs.annotate(is_overdue=Exists(overdue))


def problems_untold_at(*, place_id: int) -> QuerySet[Problem]:
    """Problems reported at a place with public news residents there have not heard yet."""
    latest = ProblemEvent.objects.exclude(public_text="").order_by("-at", "-pk")
    return (
        Problem.objects.filter(place_id=place_id, untold_since__isnull=False)
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
    return problem.referrals.filter(answered_on__isnull=True).aggregate(d=Min("due_on"))["d"]


def overdue_referrals() -> QuerySet[Referral]:
    return Referral.objects.filter(answered_on__isnull=True, due_on__lt=timezone.localdate()).select_related(
        "problem", "institution"
    )


def recent_window(days: int = 90) -> object:
    return timezone.now() - timedelta(days=days)
