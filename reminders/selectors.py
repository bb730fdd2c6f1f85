"""Reads for the bell and the list: a user only ever sees their own notifications."""

from django.db.models import F, QuerySet
from django.utils.functional import Promise

from core.models import User
from core.roles import ASSISTANT, CLUB, COORDINATOR, user_roles

from .models import EmailPreference, Kind, Notification

# The bell counts up to this and shows "99+" beyond: the count stays cheap however many are unread.
BELL_LIMIT = 100


def notifications_unread_count(*, user: User) -> int:
    """What the bell shows: unread and still current (a resolved reminder no longer counts), at most BELL_LIMIT."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True, reminder__resolved_at__isnull=True)
    return unread[:BELL_LIMIT].count()


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """Newest first, but what still needs doing comes before what has resolved itself."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("reminder")
        .order_by(F("reminder__resolved_at").asc(nulls_first=True), "-created_at", "-pk")
    )


# Who receives which kind (the rules in rules.py pick the same people).
KINDS_BY_ROLE = {
    COORDINATOR: [
        Kind.ANSWER_OVERDUE,
        Kind.SHIFT_NO_ASSISTANT,
        Kind.NEW_PROBLEM,
        Kind.FOLLOW_UP,
        Kind.DAILY_DIGEST,
        Kind.WEEKLY_SUMMARY,
    ],
    ASSISTANT: [Kind.FEEDBACK_UNTOLD, Kind.SHIFT_OPEN],
    CLUB: [Kind.SESSION_NO_LEADER, Kind.ATTENDANCE_MISSING],
}


def kinds_for(*, user: User) -> list[tuple[str, str | Promise]]:
    """The kinds this user can receive, as form choices; all of them for a user without a role."""
    roles = user_roles(user)
    mine = {kind for role, kinds in KINDS_BY_ROLE.items() if role in roles for kind in kinds}
    return [(value, label) for value, label in Kind.choices if not mine or value in mine]


def email_kinds_for(*, user: User) -> list[str]:
    """Kinds the user gets by e-mail: all of them unless switched off."""
    off = set(EmailPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return [kind for kind in Kind.values if kind not in off]
