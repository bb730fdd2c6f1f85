"""The coordinator's pages: the overview, where the bike is needed next, and the funder report."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from club.models import Session
from core.decorators import role_required
from core.roles import COORDINATOR
from duty.models import Shift
from needs.models import Problem, Referral

from . import selectors
from .periods import Period, period_from_query

coordinators = role_required(COORDINATOR)


def _period_or_400(request: HttpRequest, **kwargs: Any) -> Period | HttpResponse:
    try:
        return period_from_query(request.GET, **kwargs)
    except ValidationError as e:
        return render(request, "insight/bad_period.html", {"errors": e.messages}, status=400)


def change(now: float, before: float) -> float | None:
    """Change against the previous period in per cent; none when there was nothing before."""
    if not before:
        return None
    return round(100 * (now - before) / before, 1)


def comparison(now: selectors.Totals, before: selectors.Totals) -> list[dict[str, Any]]:
    rows = [
        ("contacts", _("Residents talked to")),
        ("first_time", _("First contacts")),
        ("shifts", _("Shifts held")),
        ("hours", _("Hours on duty")),
        ("reported", _("Problems reported")),
        ("settled", _("Problems settled")),
        ("told", _("Problems residents heard back about")),
        ("club_visits", _("Club visits")),
    ]
    out = []
    for key, label in rows:
        a, b = getattr(now, key), getattr(before, key)
        out.append({"key": key, "label": label, "now": a, "before": b, "change": change(a, b)})
    return out


def period_links(period: Period) -> list[tuple[str, Period]]:
    today = timezone.localdate()
    return [
        (_("This month"), Period.month_of(today)),
        (_("Last month"), Period.month_of(today.replace(day=1) - timedelta(days=1))),
        (_("This quarter"), Period.quarter_of(today)),
        (_("This year"), Period.year_of(today)),
        (_("Last 12 months"), Period(today - timedelta(days=364), today)),
    ]


def map_settings() -> dict[str, str]:
    return {"tiles": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION}


@coordinators
def overview(request: HttpRequest) -> HttpResponse:
    period = _period_or_400(request)
    if isinstance(period, HttpResponse):
        return period
    previous = period.previous()
    now_totals, before_totals = selectors.totals(period), selectors.totals(previous)
    steps, before_steps = selectors.funnel(now_totals), selectors.funnel(before_totals)
    weekly = selectors.contacts_per_week(period)
    needs_time = selectors.needs_over_time(period)
    ageing = selectors.problem_ageing()
    feedback = selectors.time_to_feedback(period)
    club = selectors.club_attendance(period)
    needs_by_place = selectors.needs_by_place(period)
    places = selectors.place_figures(period)
    now = timezone.now()
    week_end = now + timedelta(days=7)
    upcoming = (
        Shift.objects.filter(planned_start__gte=now, planned_start__lt=week_end)
        .exclude(status=Shift.Status.CANCELLED)
        .select_related("place")
        .prefetch_related("assistants")
        .order_by("planned_start")[:20]
    )
    charts = {
        "funnel": {
            "labels": [s.label for s in steps],
            "values": [s.n for s in steps],
            "before": [s.n for s in before_steps],
            "conversions": [s.conversion for s in steps],
        },
        "weekly": weekly.chart(),
        "needs": needs_time.chart(),
        "ageing": ageing.chart(),
        "club": club.chart(),
        "strings": {
            "now": period.label,
            "before": previous.label,
            "residents": _("Residents"),
            "contacts": _("Residents talked to"),
            "problems": _("Open problems"),
            "visits": _("Club visits"),
            "hidden": _("fewer than %(n)s, hidden") % {"n": settings.STATS_MIN_CELL},
            "shifts": _("Shifts held"),
            "hours": _("Hours on duty"),
            "untold": _("News not yet told"),
            "last_duty": _("Last duty"),
            "conversion": _("of the step before"),
        },
    }
    return render(
        request,
        "insight/overview.html",
        {
            "period": period,
            "previous": previous,
            "next": period.next(),
            "period_links": period_links(period),
            "totals": now_totals,
            "comparison": comparison(now_totals, before_totals),
            "steps": steps,
            "feedback": feedback,
            "club": club,
            "ageing": ageing,
            "needs_by_place": needs_by_place,
            "places": places,
            "charts": charts,
            "map_points": selectors.map_points(places),
            "map": map_settings(),
            "problems": {"open": Problem.objects.open().count(), "untold": Problem.objects.untold().count()},
            "overdue": Referral.objects.overdue(timezone.localdate()).count(),
            "upcoming_shifts": upcoming,
            "sessions_week": Session.objects.filter(
                starts_at__gte=now, starts_at__lt=week_end, cancelled=False
            ).count(),
            "min_cell": settings.STATS_MIN_CELL,
        },
    )


@coordinators
def hotspots(request: HttpRequest) -> HttpResponse:
    """Where the bike is needed next: places ranked by a score whose parts are all shown."""
    if request.GET.get("od") or request.GET.get("do"):
        period = _period_or_400(request)
        if isinstance(period, HttpResponse):
            return period
    else:
        today = timezone.localdate()
        period = Period(today - timedelta(days=89), today)
    return render(
        request,
        "insight/hotspots.html",
        {
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "period_links": [
                (_("Last 90 days"), Period(timezone.localdate() - timedelta(days=89), timezone.localdate())),
                *period_links(period),
            ],
            "rows": selectors.hotspots(period),
            "unplaced": selectors.unplaced_problems(),
            "points": selectors.SCORE_POINTS,
            "stale_days": selectors.STALE_DAYS,
        },
    )
