from typing import Any

from django import template

from needs import selectors

register = template.Library()
UNTOLD_SHOWN = 5


@register.inclusion_tag("needs/partials/untold_here.html", takes_context=True)
def untold_here(context: dict[str, Any], place: Any) -> dict[str, Any]:
    """The "Do przekazania tutaj" list for a shift at ``place``: the oldest news residents have not heard yet.

    At most UNTOLD_SHOWN; the rest behind "Więcej" (the problem list filtered to this place).
    """
    problems = list(selectors.problems_untold_at(place_id=place.pk)[: UNTOLD_SHOWN + 1])
    return {
        "problems": problems[:UNTOLD_SHOWN],
        "more": len(problems) > UNTOLD_SHOWN,
        "fix_checks": selectors.fix_check_due_at(place_id=place.pk),
        "place": place,
        "request": context.get("request"),
    }
