"""What residents read about a problem: one wording per status and per ending, rewordable in the admin.

A coordinator edits a ``PublicText`` row for a key; a key without a row reads the built-in wording
below (translated). Placeholders in braces are filled from the context and an unknown one is left
as typed, so a mistyped template never breaks a page.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Problem, PublicText

DEFAULTS: dict[str, Promise] = {
    # The banner on /z/<code>/, one per status.
    "status:new": _("We have recorded the problem and are deciding who can fix it."),
    "status:forwarded": _("We passed the matter on and are waiting for an answer."),
    "status:in_progress": _("The institution answered; the matter is in progress."),
    "status:resolved": _("The problem has been solved."),
    "status:unresolvable": _("Unfortunately this cannot be solved now; see the explanation below."),
    "status:duplicate": _("Someone reported the same problem earlier; we follow it under another code."),
    # The timeline entries, one per way a problem moves or ends.
    "reported": _("We have recorded the problem."),
    "forwarded": _("We passed the matter to: {institution}. We expect an answer by {due}."),
    "answered": _("The institution answered: {institution}."),
    "redirected": _("{previous} does not deal with this; we passed the matter to: {institution}."),
    "withdrawn": _("We no longer wait for an answer from: {institution}."),
    "resolved:institution": _("The matter is solved."),
    "resolved:on_the_spot": _("The matter was solved on the spot."),
    "resolved:neighbours": _("Neighbours solved the matter themselves."),
    "resolved:not_relevant": _("The matter is no longer current."),
    "resolved:other": _("The matter is solved."),
    "resolved:failed": _("We did not manage to solve this matter."),
    "reopened": _("The matter is open again: we are dealing with it."),
    "supported": _("Another resident reported the same problem."),
    "duplicate": _("The same problem was reported earlier; we follow it under the code {code}."),
    "still_broken": _("A resident told us it still does not work."),
}


class _Keep(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def label(key: str) -> str:
    """What a key means, for the admin list."""
    if key.startswith("status:"):
        status = key.split(":", 1)[1]
        return str(_("Status banner: %(status)s") % {"status": Problem.Status(status).label})
    if key.startswith("resolved:"):
        reason = key.split(":", 1)[1]
        return str(_("Settled: %(reason)s") % {"reason": Problem.Resolution(reason).label})
    return str(
        {
            "reported": _("Reported"),
            "forwarded": _("Forwarded"),
            "answered": _("Answer received"),
            "redirected": _("Not their responsibility, forwarded elsewhere"),
            "withdrawn": _("Referral withdrawn"),
            "reopened": _("Reopened"),
            "supported": _("Another resident's voice"),
            "duplicate": _("Merged into another problem"),
            "still_broken": _("Reported still broken"),
        }.get(key, key)
    )


def public_text(key: str, **context: Any) -> str:
    """The wording for ``key`` (the coordinator's if there is one), placeholders filled in."""
    row = PublicText.objects.filter(key=key).values_list("text", flat=True).first()
    template = row if row is not None else str(DEFAULTS[key])
    try:
        return template.format_map(_Keep({k: str(v) for k, v in context.items()}))
    except (ValueError, IndexError, AttributeError, KeyError):  # a stray brace: show it as typed
        return template


def status_text(problem: Problem) -> str:
    return public_text(f"status:{problem.status}")


def resolution_key(status: str, resolution: str) -> str:
    return "resolved:failed" if status == Problem.Status.UNRESOLVABLE else f"resolved:{resolution}"


def ensure_rows() -> int:
    """A row for every key, with the current wording, so that a coordinator sees what to edit."""
    have = set(PublicText.objects.values_list("key", flat=True))
    rows = [PublicText(key=k, text=str(v)) for k, v in DEFAULTS.items() if k not in have]
    PublicText.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
