"""The coordinator's overview: the residents' journey, needs by place, problem ageing,
time to feedback and club attendance, with a CSV export of monthly figures for funders.

Every figure is one aggregate query over the period, so the page costs the same number of
queries however many rows there are.
"""

import csv
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from club.models import Session
from core.roles import is_coordinator
from duty.models import ConversationNote, Shift
from needs.models import Need, Problem, ProblemEvent, Referral

PERIODS = (30, 90, 365)
AGE_BUCKETS = (
    (0, 7, gettext_lazy("under a week")),
    (7, 30, gettext_lazy("1–4 weeks")),
    (30, 90, gettext_lazy("1–3 months")),
    (90, None, gettext_lazy("over 3 months")),
)


def _require_coordinator(request: HttpRequest) -> None:
    if not is_coordinator(request.user):
        raise PermissionDenied


@dataclass(frozen=True)
class Period:
    days: int
    since: date
    start: datetime

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Period":
        try:
            days = int(request.GET.get("dni", 30))
        except ValueError:
            days = 30
        days = days if days in PERIODS else 30
        since = timezone.localdate() - timedelta(days=days)
        start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
        return cls(days=days, since=since, start=start)


def journey(period: Period) -> list[tuple[str, int]]:
    """How many residents reached each step of the journey in the period."""
    shifts = Shift.objects.filter(planned_start__gte=period.start).aggregate(
        first_time=Sum("first_time"), returning=Sum("returning")
    )
    sharing = ConversationNote.objects.filter(date__gte=period.since, stage=ConversationNote.Stage.SHARING).count()
    reported = Problem.objects.filter(reported_at__gte=period.start).count()
    told = ProblemEvent.objects.filter(at__gte=period.start, kind=ProblemEvent.Kind.FEEDBACK_TOLD).count()
    club_first = Session.objects.filter(starts_at__gte=period.start, cancelled=False).aggregate(n=Sum("first_time"))[
        "n"
    ]
    return [
        (_("First contact"), shifts["first_time"] or 0),
        (_("Came back"), shifts["returning"] or 0),
        (_("Reported a problem"), reported),
        (_("Heard back about a problem"), told),
        (_("Came to the Club for the first time"), club_first or 0),
        (_("Tells others, brings friends"), sharing),
    ]


def needs_by_place(period: Period) -> tuple[list[Need], list[tuple[str, list[int], int]]]:
    """A place × need table of how often each need came up in notes."""
    rows = (
        ConversationNote.needs.through.objects.filter(conversationnote__date__gte=period.since)
        .values(place_name=F("conversationnote__place__name"), need_pk=F("need_id"))
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[int, int]] = {}
    for row in rows:
        counts.setdefault(row["place_name"], {})[row["need_pk"]] = row["n"]
    needs = [n for n in Need.objects.filter(active=True) if any(n.pk in by_need for by_need in counts.values())]
    table = [(place, [by_need.get(n.pk, 0) for n in needs], sum(by_need.values())) for place, by_need in counts.items()]
    table.sort(key=lambda row: -row[2])
    return needs, table


def problem_ageing() -> list[tuple[str, int]]:
    today = timezone.localdate()
    buckets = {}
    for i, (low, high, _label) in enumerate(AGE_BUCKETS):
        cond = Q(reported_at__date__lte=today - timedelta(days=low))
        if high is not None:
            cond &= Q(reported_at__date__gt=today - timedelta(days=high))
        buckets[f"b{i}"] = Count("id", filter=cond)
    counts = Problem.objects.open().aggregate(**buckets)
    return [(str(label), counts[f"b{i}"]) for i, (_low, _high, label) in enumerate(AGE_BUCKETS)]


def days_to_feedback(period: Period) -> dict[str, Any]:
    """Days from a report to the first time residents were told, for problems told in the period."""
    told = (
        Problem.objects.filter(events__kind=ProblemEvent.Kind.FEEDBACK_TOLD, events__at__gte=period.start)
        .annotate(first_told=Min("events__at", filter=Q(events__kind=ProblemEvent.Kind.FEEDBACK_TOLD)))
        .values_list("reported_at", "first_told")
    )
    days = [(first_told - reported).total_seconds() / 86400 for reported, first_told in told]
    if not days:
        return {"count": 0, "median": None, "max": None}
    return {"count": len(days), "median": round(statistics.median(days), 1), "max": round(max(days), 1)}


def club_attendance(period: Period) -> dict[str, Any]:
    return Session.objects.filter(
        starts_at__gte=period.start, starts_at__lte=timezone.now(), cancelled=False
    ).aggregate(
        sessions=Count("id"),
        recorded=Count("id", filter=Q(attendance_recorded_at__isnull=False)),
        children=Sum("children"),
        youth=Sum("youth"),
        adults=Sum("adults"),
        seniors=Sum("seniors"),
        first_time=Sum("first_time"),
    )


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request)
    if request.GET.get("format") == "csv":
        return monthly_csv()
    period = Period.from_request(request)
    today = timezone.localdate()
    shift_totals = Shift.objects.filter(planned_start__gte=period.start, status=Shift.Status.ENDED).aggregate(
        shifts=Count("id"), coffee=Sum("coffee"), adults=Sum("adults"), children=Sum("children")
    )
    problems = {
        "open": Problem.objects.open().count(),
        "untold": Problem.objects.untold().count(),
        "new": Problem.objects.filter(status=Problem.Status.NEW).count(),
    }
    overdue = Referral.objects.overdue(today).count()
    week_end = timezone.now() + timedelta(days=7)
    upcoming_shifts = (
        Shift.objects.filter(planned_start__gte=timezone.now(), planned_start__lt=week_end)
        .exclude(status=Shift.Status.CANCELLED)
        .select_related("place")
        .prefetch_related("assistants")
        .order_by("planned_start")[:20]
    )
    sessions_week = Session.objects.filter(
        starts_at__gte=timezone.now(), starts_at__lt=week_end, cancelled=False
    ).count()
    needs, needs_table = needs_by_place(period)
    funnel = journey(period)
    return render(
        request,
        "dashboard/overview.html",
        {
            "period": period,
            "periods": PERIODS,
            "shift_totals": shift_totals,
            "funnel": funnel,
            "funnel_max": max([n for _label, n in funnel] + [1]),
            "needs": needs,
            "needs_table": needs_table,
            "ageing": problem_ageing(),
            "feedback": days_to_feedback(period),
            "club": club_attendance(period),
            "problems": problems,
            "overdue": overdue,
            "upcoming_shifts": upcoming_shifts,
            "sessions_week": sessions_week,
        },
    )


def monthly_csv() -> HttpResponse:
    """Figures per month for the last 12 months, for reports to funders."""
    since = timezone.make_aware(
        datetime.combine(timezone.localdate().replace(day=1) - timedelta(days=335), datetime.min.time())
    )
    since = since.replace(day=1)
    months: dict[date, dict[str, int]] = {}

    tz = timezone.get_current_timezone()

    def add(qs: QuerySet[Any], per_month: TruncMonth, **aggregates: Any) -> None:
        """Sum ``aggregates`` of ``qs`` per local month (``per_month``) into ``months``."""
        for row in qs.annotate(month=per_month).values("month").annotate(**aggregates).order_by():
            month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
            bucket = months.setdefault(month, {})
            for field in aggregates:
                bucket[field] = row[field] or 0

    add(
        Shift.objects.filter(planned_start__gte=since, status=Shift.Status.ENDED),
        TruncMonth("planned_start", tzinfo=tz),
        shifts=Count("id"),
        coffee=Sum("coffee"),
        adults=Sum("adults"),
        children=Sum("children"),
        first_time=Sum("first_time"),
        returning=Sum("returning"),
    )
    add(ConversationNote.objects.filter(date__gte=since.date()), TruncMonth("date"), notes=Count("id"))
    add(Problem.objects.filter(reported_at__gte=since), TruncMonth("reported_at", tzinfo=tz), problems=Count("id"))
    add(
        ProblemEvent.objects.filter(at__gte=since, kind=ProblemEvent.Kind.FEEDBACK_TOLD),
        TruncMonth("at", tzinfo=tz),
        told=Count("id"),
    )
    add(
        Session.objects.filter(starts_at__gte=since, cancelled=False),
        TruncMonth("starts_at", tzinfo=tz),
        sessions=Count("id"),
        club_children=Sum("children"),
        club_youth=Sum("youth"),
        club_adults=Sum("adults"),
        club_seniors=Sum("seniors"),
        club_first_time=Sum("first_time"),
    )
    columns = [
        ("shifts", _("Shifts")),
        ("coffee", _("Coffees served")),
        ("adults", _("Adults talked to")),
        ("children", _("Children at animations")),
        ("first_time", _("First-time residents")),
        ("returning", _("Returning residents")),
        ("notes", _("Conversation notes")),
        ("problems", _("Problems reported")),
        ("told", _("Residents told about a problem")),
        ("sessions", _("Club sessions")),
        ("club_children", _("Club: children")),
        ("club_youth", _("Club: youth")),
        ("club_adults", _("Club: adults")),
        ("club_seniors", _("Club: seniors")),
        ("club_first_time", _("Club: first-time visitors")),
    ]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mobilny-asystent-miesiace.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the Polish letters right
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Month"), *[label for _key, label in columns]])
    for month in sorted(months):
        writer.writerow([month.strftime("%Y-%m"), *[months[month].get(key, 0) for key, _label in columns]])
    return response
