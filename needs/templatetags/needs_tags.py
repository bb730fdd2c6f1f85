from typing import Any

from django import template

from needs import selectors

register = template.Library()


@register.inclusion_tag("needs/partials/untold_here.html", takes_context=True)
def untold_here(context: dict[str, Any], place: Any) -> dict[str, Any]:
    """The "Do przekazania tutaj" list for a shift at ``place``: news residents have not heard yet."""
    return {
        "problems": list(selectors.problems_untold_at(place_id=place.pk)),
        "place": place,
        "request": context.get("request"),
    }
