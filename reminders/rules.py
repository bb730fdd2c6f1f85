"""The reminder rules: each reads due work from the database with one or two set-based queries.

A rule returns what is due now. The sweep turns that into rows (once per kind, object and
occurrence) and resolves reminders whose condition has cleared.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from club.models import Session
from core.models import User
from core.roles import CLUB, COORDINATOR, coordinator_ids
from duty.models import ConversationNote, Shift
from needs.models import Problem, Referral

from .models import Kind

# New problems and follow-up requests of this many days are caught up on by the sweep.
LOOK_BACK_DAYS = 2


@dataclass
class Due:
    kind: str
    object_key: str
    occurrence: str
    recipients: list[int]
    title: str
    body: str = ""
    url: str = ""
    escalated: bool = False


class Roles:
    """Active users per role, read once per sweep however many rules ask."""

    def __init__(self) -> None:
        self._ids: dict[str, list[int]] = {}

    def __getitem__(self, role: str) -> list[int]:
        if role not in self._ids:
            if role == COORDINATOR:
                self._ids[role] = coordinator_ids()
            else:
                self._ids[role] = list(
                    User.objects.filter(groups__name=role, is_active=True).order_by("pk").values_list("pk", flat=True)
                )
        return self._ids[role]


# Stands for an object's id while a URL pattern is reversed once for a whole sweep.
_PLACEHOLDER = "987654321"


@lru_cache(maxsize=256)
def _pattern(view: str, arity: int, urlconf: str | None) -> str | None:
    try:
        return reverse(view, args=[_PLACEHOLDER] * arity, urlconf=urlconf)
    except NoReverseMatch:
        return None


def link(name: str, args: tuple[object, ...], *, admin: str, admin_id: object = None) -> str:
    """The page for the person who acts on it; the admin while that page does not exist.

    Each pattern is reversed once and filled in per object: a sweep links thousands of objects.
    """
    admin_args = () if admin_id is None else (admin_id,)
    urlconf = get_urlconf()
    for view, view_args in ((name, args), (admin, admin_args)):
        pattern = _pattern(view, len(view_args), urlconf)
        if pattern is None:
            continue
        for arg in view_args:
            pattern = pattern.replace(_PLACEHOLDER, quote(str(arg), safe=""), 1)
        return pattern
    return ""


def local(value: datetime, fmt: str) -> str:
    return timezone.localtime(value).strftime(fmt)


def answers_overdue(now: datetime, roles: Roles) -> list[Due]:
    """Rule 1: an institution has not answered by the due date; repeats every few days.

    The occurrence is the repeat number (days late divided by the repeat interval), so the
    same referral gets a new reminder every REMINDER_REPEAT_DAYS and the third one escalates.
    """
    today = timezone.localdate(now)
    every = max(settings.REMINDER_REPEAT_DAYS, 1)
    referrals = Referral.objects.overdue(today).select_related("problem", "institution")
    due = []
    for referral in referrals:
        late = (today - referral.due_on).days
        repeat = (late - 1) // every
        due.append(
            Due(
                Kind.ANSWER_OVERDUE,
                f"referral:{referral.pk}",
                str(repeat),
                roles[COORDINATOR],
                ngettext(
                    "%(institution)s has not answered about %(code)s (%(days)s day late)",
                    "%(institution)s has not answered about %(code)s (%(days)s days late)",
                    late,
                )
                % {"institution": referral.institution.name, "code": referral.problem.code, "days": late},
                _("The answer was due on %(due)s. Ask again, or record the answer.")
                % {"due": referral.due_on.strftime("%d.%m.%Y")},
                link(
                    "admin:needs_problem_change",
                    (referral.problem_id,),
                    admin="admin:needs_referral_change",
                    admin_id=referral.pk,
                ),
                escalated=repeat >= 2,
            )
        )
    return due


def assistants_by_place(place_ids: set[int], now: datetime) -> dict[int, list[int]]:
    """Who works at each place: assistants of its shifts of the last 60 days and upcoming ones."""
    rows = (
        Shift.assistants.through.objects.filter(
            shift__place_id__in=place_ids,
            shift__planned_start__gte=now - timedelta(days=60),
            user__is_active=True,
        )
        .exclude(shift__status=Shift.Status.CANCELLED)
        .values_list("shift__place_id", "user_id")
        .distinct()
    )
    by_place: dict[int, list[int]] = defaultdict(list)
    for place_id, user_id in rows:
        by_place[place_id].append(user_id)
    return by_place


def feedback_untold(now: datetime, roles: Roles) -> list[Due]:
    """Rule 2: residents have not heard the news for a few days -> the assistants of that place.

    The occurrence is the moment the news arrived: newer news about the same problem is a new
    reminder, while the old one resolves.
    """
    cutoff = now - timedelta(days=settings.REMINDER_UNTOLD_DAYS)
    # Thousands may be due on a city's scale: plain rows, and each text translated once.
    problems = list(
        Problem.objects.untold(before=cutoff).values_list("pk", "code", "place_id", "place__name", "untold_since")
    )
    by_place = assistants_by_place({place_id for _pk, _code, place_id, _name, _since in problems if place_id}, now)
    tz = timezone.get_current_timezone()
    title = _("Tell residents at %(place)s what happened with %(code)s")
    body = _("There has been news since %(since)s. It is on the “To pass on here” list of your shift.")
    # No place to tell it at: the coordinator decides where (or waives it, with a reason).
    placeless_title = _("Tell residents what happened with %(code)s (no place)")
    placeless_body = _("There has been news since %(since)s. It is on your “do przekazania” list.")
    due = []
    for pk, code, place_id, place_name, since in problems:
        since_local = since.astimezone(tz)  # type: ignore[union-attr] # untold() filtered on it
        due.append(
            Due(
                Kind.FEEDBACK_UNTOLD,
                f"problem:{pk}",
                since_local.strftime("%Y%m%d%H%M"),
                by_place.get(place_id, []) if place_id else roles[COORDINATOR],
                (title % {"place": place_name, "code": code}) if place_id else placeless_title % {"code": code},
                (body if place_id else placeless_body) % {"since": since_local.strftime("%d.%m")},
                link("needs:problem_detail", (code,), admin="admin:needs_problem_change", admin_id=pk),
            )
        )
    return due


def shifts_left_open(now: datetime, roles: Roles) -> list[Due]:
    """Rule 3: a shift started 12 hours ago (or 2 hours past its planned end) is still open."""
    open_too_long = Q(started_at__lt=now - timedelta(hours=settings.REMINDER_SHIFT_OPEN_HOURS))
    overrun = Q(planned_end__lt=now - timedelta(hours=settings.REMINDER_SHIFT_OVERRUN_HOURS))
    shifts = (
        Shift.objects.filter(open_too_long | overrun, status=Shift.Status.STARTED)
        .select_related("place")
        .prefetch_related("assistants")
    )
    return [
        Due(
            Kind.SHIFT_OPEN,
            f"shift:{s.pk}",
            "1",
            [a.pk for a in s.assistants.all() if a.is_active],
            _("The shift at %(place)s is still open") % {"place": s.place},
            _("It started on %(start)s. End it with a short summary, even from home.")
            % {"start": local(s.started_at or s.planned_start, "%d.%m %H:%M")},
            link("duty:shift_detail", (s.pk,), admin="admin:duty_shift_change", admin_id=s.pk),
        )
        for s in shifts
    ]


def shifts_without_assistant(now: datetime, roles: Roles) -> list[Due]:
    """Rule 4: a shift planned for tomorrow (local date) has nobody to ride the bike."""
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = datetime.combine(tomorrow, time.min, tzinfo=tz)
    end = datetime.combine(tomorrow + timedelta(days=1), time.min, tzinfo=tz)
    shifts = Shift.objects.filter(
        status=Shift.Status.PLANNED, planned_start__gte=start, planned_start__lt=end, assistants=None
    ).select_related("place")
    return [
        Due(
            Kind.SHIFT_NO_ASSISTANT,
            f"shift:{s.pk}",
            tomorrow.isoformat(),
            roles[COORDINATOR],
            _("Tomorrow's shift at %(place)s has no assistant") % {"place": s.place},
            _("Planned for %(start)s. Assign someone or cancel the shift.")
            % {"start": local(s.planned_start, "%d.%m %H:%M")},
            link("admin:duty_shift_change", (s.pk,), admin="admin:duty_shift_changelist"),
        )
        for s in shifts
    ]


def sessions_without_leader(now: datetime, roles: Roles) -> list[Due]:
    """Rule 5a: a club session in the next 48 hours has no leader."""
    sessions = Session.objects.filter(
        cancelled=False,
        starts_at__gte=now,
        starts_at__lt=now + timedelta(hours=settings.REMINDER_SESSION_LEADER_HOURS),
        leader_user__isnull=True,
        leader_name="",
    ).select_related("activity")
    return [
        Due(
            Kind.SESSION_NO_LEADER,
            f"session:{s.pk}",
            "1",
            roles[CLUB],
            _("Nobody leads “%(title)s” on %(when)s")
            % {"title": s.activity.title, "when": local(s.starts_at, "%d.%m %H:%M")},
            _("Find a leader, or cancel the session with a reason residents will see."),
            link("club:activity_edit", (s.activity_id,), admin="admin:club_session_change", admin_id=s.pk),
        )
        for s in sessions
    ]


def attendance_missing(now: datetime, roles: Roles) -> list[Due]:
    """Rule 5b: attendance is still not recorded 24 hours after a session (last 30 days)."""
    sessions = Session.objects.filter(
        cancelled=False,
        attendance_recorded_at__isnull=True,
        ends_at__lt=now - timedelta(hours=settings.REMINDER_ATTENDANCE_HOURS),
        ends_at__gte=now - timedelta(days=30),
    ).select_related("activity")
    return [
        Due(
            Kind.ATTENDANCE_MISSING,
            f"session:{s.pk}",
            "1",
            roles[CLUB],
            _("Record attendance for “%(title)s” of %(when)s")
            % {"title": s.activity.title, "when": local(s.starts_at, "%d.%m")},
            _("How many children, young people, adults and seniors came? It takes a minute."),
            link("club:session_attendance", (s.pk,), admin="admin:club_session_change", admin_id=s.pk),
        )
        for s in sessions
    ]


def new_problems(now: datetime, roles: Roles) -> list[Due]:
    """New problems of the last two days: normally notified at once, the sweep catches missed ones."""
    problems = Problem.objects.filter(reported_at__gte=now - timedelta(days=LOOK_BACK_DAYS)).select_related(
        "category", "place"
    )
    return [problem_due(p, roles[COORDINATOR]) for p in problems]


def problem_due(problem: Problem, recipients: list[int]) -> Due:
    return Due(
        Kind.NEW_PROBLEM,
        f"problem:{problem.pk}",
        "1",
        recipients,
        _("New problem %(code)s: %(category)s") % {"code": problem.code, "category": problem.category},
        # Where, never what: the description is staff text that may quote a conversation; the link shows it.
        str(problem.place or problem.location),
        link("admin:needs_problem_change", (problem.pk,), admin="admin:needs_problem_changelist"),
    )


def follow_ups(now: datetime, roles: Roles) -> list[Due]:
    """Notes of the last two days where a resident asked to be contacted again."""
    notes = ConversationNote.objects.filter(
        wants_follow_up=True, created_at__gte=now - timedelta(days=LOOK_BACK_DAYS)
    ).select_related("place")
    return [note_due(n, roles[COORDINATOR]) for n in notes]


def note_due(note: ConversationNote, recipients: list[int]) -> Due:
    return Due(
        Kind.FOLLOW_UP,
        f"note:{note.pk}",
        "1",
        recipients,
        _("A resident at %(place)s wants follow-up") % {"place": note.place},
        # Never the note's text (it stays in the app, behind the link and a login).
        _("Open the note to see what was agreed."),
        link("admin:duty_conversationnote_change", (note.pk,), admin="admin:duty_conversationnote_changelist"),
    )


Rule = Callable[[datetime, Roles], list[Due]]
RULES: list[Rule] = [
    answers_overdue,
    feedback_untold,
    shifts_left_open,
    shifts_without_assistant,
    sessions_without_leader,
    attendance_missing,
    new_problems,
    follow_ups,
]
# Kinds that clear themselves when their condition no longer holds (or a newer repeat replaces them).
SELF_RESOLVING = frozenset(
    {
        Kind.ANSWER_OVERDUE,
        Kind.FEEDBACK_UNTOLD,
        Kind.SHIFT_OPEN,
        Kind.SHIFT_NO_ASSISTANT,
        Kind.SESSION_NO_LEADER,
        Kind.ATTENDANCE_MISSING,
    }
)


def evaluate(now: datetime) -> list[Due]:
    roles = Roles()
    return [due for rule in RULES for due in rule(now, roles)]


# Where all the items of one kind can be worked through: the link of a notification that lists several.
LIST_LINKS: dict[str, tuple[str, str]] = {
    Kind.ANSWER_OVERDUE: ("admin:needs_referral_changelist", "?outcome__exact=pending"),
    Kind.FEEDBACK_UNTOLD: ("duty:home", ""),
    Kind.SHIFT_OPEN: ("duty:shift_list", ""),
    Kind.SHIFT_NO_ASSISTANT: ("duty:week", ""),
    Kind.SESSION_NO_LEADER: ("club:staff_home", ""),
    Kind.ATTENDANCE_MISSING: ("club:staff_home", ""),
    Kind.NEW_PROBLEM: ("needs:problem_list", ""),
    Kind.FOLLOW_UP: ("admin:duty_conversationnote_changelist", "?wants_follow_up__exact=1"),
}


def list_link(kind: str) -> str:
    view, query = LIST_LINKS.get(kind, ("reminders:list", ""))
    pattern = _pattern(view, 0, get_urlconf())
    return pattern + query if pattern else link("reminders:list", (), admin="reminders:list")
