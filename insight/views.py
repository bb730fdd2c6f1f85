"""The coordinator's pages: the overview, where the bike is needed next, and the funder report."""

from datetime import timedelta
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from club.models import Session
from core.decorators import role_required
from core.roles import COORDINATOR
from duty.models import Shift
from needs.models import Problem, Referral

from . import report, selectors, services
from .costs import period_costs
from .periods import Period, period_from_query

coordinators = role_required(COORDINATOR)


def _period_or_400(request: HttpRequest, **kwargs: Any) -> Period | HttpResponse:
    try:
        return period_from_query(request.GET, **kwargs)
    except ValidationError as e:
        return render(request, "insight/bad_period.html", {"errors": e.messages}, status=400)


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
    heard = selectors.note_needs(period)
    needs_time = selectors.needs_over_time(period, heard)
    ageing = selectors.problem_ageing()
    feedback = selectors.time_to_feedback(period)
    club = selectors.club_attendance(period)
    needs_by_place = selectors.needs_by_place(period, heard)
    by_age = selectors.notes_by_age(period)
    needs_by_age, places_by_age = selectors.age_breakdowns(period, heard)
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
            "comparison": selectors.comparison(now_totals, before_totals),
            "steps": steps,
            "feedback": feedback,
            "club": club,
            "ageing": ageing,
            "needs_by_place": needs_by_place,
            "by_age": by_age,
            "age_tables": _age_tables(needs_by_age, places_by_age),
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
            "costs": period_costs(period, now_totals),
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


@coordinators
def report_xlsx(request: HttpRequest) -> HttpResponse:
    """GET /koordynator/raport.xlsx?od=&do= : the funder report for that range."""
    period = _period_or_400(request)
    if isinstance(period, HttpResponse):
        return period
    data = report.xlsx(report.build(period))
    response = HttpResponse(data, content_type=services.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{report.filename(period)}"'
    return response


@coordinators
def report_page(request: HttpRequest) -> HttpResponse:
    """The same report as a printable page, with the charts."""
    period = _period_or_400(request)
    if isinstance(period, HttpResponse):
        return period
    r = report.build(period)
    charts = {
        "funnel": {
            "labels": [s.label for s in r.steps],
            "values": [s.n for s in r.steps],
            "before": [s.n for s in selectors.funnel(r.before)],
            "conversions": [s.conversion for s in r.steps],
        },
        "weekly": selectors.contacts_per_week(period).chart(),
        "needs": r.needs_time.chart(),
        "ageing": r.ageing.chart(),
        "club": r.club.chart(),
        "strings": {
            "now": period.label,
            "before": r.previous.label,
            "contacts": _("Residents talked to"),
            "problems": _("Open problems"),
            "visits": _("Club visits"),
            "conversion": _("of the step before"),
        },
    }
    return render(
        request,
        "insight/report.html",
        {
            "r": r,
            "period": period,
            "previous": r.previous,
            "next": period.next(),
            "period_links": period_links(period),
            "comparison": selectors.comparison(r.totals, r.before),
            "charts": charts,
            "min_cell": settings.STATS_MIN_CELL,
            "age_tables": _age_tables(r.needs_by_age, r.places_by_age),
        },
    )


def _age_tables(needs: selectors.ByAge, places: selectors.ByAge) -> list[tuple[selectors.ByAge, str, str, str]]:
    return [
        (needs, _("Needs by age band"), "needs-age-h", _("Need")),
        (places, _("Places by age band"), "places-age-h", _("Place")),
    ]


@coordinators
@require_POST
def report_test(request: HttpRequest) -> HttpResponse:
    """ "Send a test to me": the report of the period shown, to the coordinator's own address."""
    target = reverse("insight:report")
    period = _period_or_400(request)
    if isinstance(period, HttpResponse):
        return period
    target += f"?{period.query}"
    email = getattr(request.user, "email", "")
    if not email:
        messages.error(request, _("Your account has no e-mail address: add one in your settings first."))
        return redirect(target)
    try:
        services.report_send_test(to=email, period=period)
    except (SMTPException, OSError):
        messages.error(request, _("The mail server did not accept the message; try again later."))
        return redirect(target)
    messages.success(request, _("A test report was sent to %(email)s.") % {"email": email})
    return redirect(target)
