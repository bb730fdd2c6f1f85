"""What anyone without an account may learn about a problem: public text only.

One owner for the rule, used by Open311 (JSON and XML) and the residents' status page /z/<code>/:

- the internal description is never published: Open311 carries the *public summary* a
  coordinator wrote or approved, and until there is one only the category and the place;
- a problem whose category is "never public" (safety, health, welfare…) is not listed in Open311
  at all, and its status page shows the status and nothing else;
- coordinates are published at most at the precision of the place: the place's own point when the
  problem has a place, otherwise rounded to PUBLIC_COORDINATE_DECIMALS (3 ≈ 100 m);
- the address is the place's name, never the free-text location staff typed (a location that
  came in through Open311 itself is the reporter's own public input).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import QuerySet

from .models import Problem


def publishable(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    """Problems that may appear in public lists (Open311): not those of never-public categories."""
    return problems.exclude(category__never_public=True)


def shows_text(problem: Problem) -> bool:
    """False for a never-public category: only the status may be shown."""
    return not problem.category.never_public


def public_description(problem: Problem) -> str:
    """The coordinator's public summary; until there is one, the category and the place."""
    if problem.public_summary.strip():
        return problem.public_summary.strip()
    place = public_address(problem)
    return f"{problem.category.name} · {place}" if place else problem.category.name


def public_address(problem: Problem) -> str:
    """The place's name; the free-text location only when it came in through Open311 itself."""
    if problem.place:
        return problem.place.name
    return problem.location if problem.source == Problem.Source.OPEN311 else ""


def _rounded(value: Decimal) -> Decimal:
    decimals: int = getattr(settings, "PUBLIC_COORDINATE_DECIMALS", 3)
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def public_coordinates(problem: Problem) -> tuple[Decimal | None, Decimal | None]:
    """The place's point when there is a place; else the problem's point, rounded."""
    if problem.place and problem.place.lat is not None and problem.place.lon is not None:
        return problem.place.lat, problem.place.lon
    if problem.lat is None or problem.lon is None:
        return None, None
    return _rounded(problem.lat), _rounded(problem.lon)
