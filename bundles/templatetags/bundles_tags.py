from typing import Any

from django import template
from django.utils.translation import gettext as _

from bundles import selectors

register = template.Library()


@register.inclusion_tag("bundles/partials/what_helps.html")
def what_helps(shift: Any) -> dict[str, Any]:
    """ "Co może pomóc?" on the duty screen: every service on offer by need, and this shift's
    told counts, embedded in the page so that it works offline from the kept duty screen."""
    return {
        "shift": shift,
        "what_helps_data": {
            "shift": shift.pk,
            "services": selectors.phone_services(),
            "counts": {str(k): v for k, v in selectors.told_counts(shift).items()},
            "strings": {
                "told": _("Told"),
                "told_label": _("I told a resident about this service"),
                "handoff": _("Went along / phoned ahead"),
                "handoff_label": _("I went along or phoned ahead (warm hand-off)"),
                "free": _("free"),
                "paid": _("paid"),
                "internal": _("internal: not on the public list"),
                "none": _("No services known yet for these needs. Tell the coordinator what you heard."),
            },
        },
    }


@register.inclusion_tag("bundles/partials/told_on_shift.html")
def told_on_shift(shift: Any) -> dict[str, Any]:
    """On a shift's summary: which services residents heard about, and how often (counts only)."""
    return {"rows": selectors.told_on_shift(shift)}
