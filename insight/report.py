"""The funder report: the same figures as the overview, for any period, as XLSX sheets.

Headers are Polish whatever the reader's language (the report goes to Polish funders). Every
breakdown shows small numbers as the overview does ("<5", "*"); totals are exact.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.smallnumbers import Cell, suppress_series
from duty.models import ConversationNote
from needs.models import Problem, ProblemEvent

from . import selectors
from .costs import Costs, period_costs
from .periods import Period


def _month(value: Any) -> date:
    return selectors._as_date(value).replace(day=1)


@dataclass
class MonthRow:
    month: date
    cells: list[Cell | int]


MONTH_COLUMNS = (
    # key, header, is a count of people or problems (suppressed) or of the service's own work (exact)
    ("shifts", gettext_noop("Shifts held"), False),
    ("contacts", gettext_noop("Residents talked to"), True),
    ("first_time", gettext_noop("First contacts"), True),
    ("onlookers", gettext_noop("Watched without talking"), True),
    ("reported", gettext_noop("Problems reported"), True),
    ("told", gettext_noop("Problems residents heard back about"), True),
    ("sessions", gettext_noop("Club sessions held"), False),
    ("club_visits", gettext_noop("Club visits"), True),
)


def by_month(period: Period) -> tuple[list[str], list[MonthRow]]:
    """Month × figure: each figure's months are a breakdown of its shown total, suppressed as one."""
    tz = timezone.get_current_timezone()
    data: dict[date, dict[str, int]] = {m: {} for m in period.months()}

    def put(rows: Any, **keys: str) -> None:
        for row in rows:
            bucket = data.setdefault(_month(row["m"]), {})
            for key, field in keys.items():
                bucket[key] = row[field] or 0

    put(
        selectors.held_shifts(period)
        .annotate(m=TruncMonth("planned_start", tzinfo=tz))
        .values("m")
        .annotate(
            shifts=Count("id"),
            contacts=Sum(F("first_time") + F("returning")),
            firsts=Sum("first_time"),
            watched=Sum("onlookers"),
        )
        .order_by(),
        shifts="shifts",
        contacts="contacts",
        first_time="firsts",
        onlookers="watched",
    )
    put(
        Problem.objects.filter(
            reported_at__gte=period.start, reported_at__lt=period.end, source__in=selectors.RESIDENT_SOURCES
        )
        .annotate(m=TruncMonth("reported_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("id"))
        .order_by(),
        reported="n",
    )
    put(
        ProblemEvent.objects.filter(kind=ProblemEvent.Kind.FEEDBACK_TOLD, at__gte=period.start, at__lt=period.end)
        .annotate(m=TruncMonth("at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("problem_id", distinct=True))
        .order_by(),
        told="n",
    )
    put(
        selectors.held_sessions(period)
        .annotate(m=TruncMonth("starts_at", tzinfo=tz))
        .values("m")
        .annotate(
            n=Count("id"),
            visits=Sum(F("children") + F("youth") + F("adults") + F("seniors")),
        )
        .order_by(),
        sessions="n",
        club_visits="visits",
    )
    months = sorted(data)
    columns: dict[str, list[Cell | int]] = {}
    for key, _header, suppressed in MONTH_COLUMNS:
        values = [data[m].get(key, 0) for m in months]
        columns[key] = list(suppress_series(values).cells) if suppressed else list(values)
    rows = [MonthRow(m, [columns[key][i] for key, _h, _s in MONTH_COLUMNS]) for i, m in enumerate(months)]
    return [_(header) for _k, header, _s in MONTH_COLUMNS], rows


def problems_by_category(period: Period) -> list[tuple[str, Cell, Cell]]:
    rows = list(
        Problem.objects.filter(reported_at__gte=period.start, reported_at__lt=period.end)
        .values("category__name")
        .annotate(
            reported=Count("id"),
            open=Count("id", filter=Q(id__in=Problem.objects.open().values("id"))),
        )
        .order_by("category__name")
    )
    reported = suppress_series([r["reported"] for r in rows]).cells
    still_open = suppress_series([r["open"] for r in rows]).cells
    return [(r["category__name"], reported[i], still_open[i]) for i, r in enumerate(rows)]


def club_by_activity(period: Period) -> list[tuple[str, int, Cell]]:
    rows = list(
        selectors.held_sessions(period)
        .values("activity__title")
        .annotate(n=Count("id"), visits=Sum(F("children") + F("youth") + F("adults") + F("seniors")))
        .order_by("activity__title")
    )
    visits = suppress_series([r["visits"] or 0 for r in rows]).cells
    return [(r["activity__title"], r["n"], visits[i]) for i, r in enumerate(rows)]


@dataclass
class Report:
    period: Period
    previous: Period
    totals: selectors.Totals
    before: selectors.Totals
    steps: list[selectors.Step]
    month_headers: list[str]
    months: list[MonthRow]
    places: list[selectors.PlaceFigures]
    needs: selectors.NeedsByPlace
    needs_time: selectors.NeedsOverTime
    ageing: selectors.TimeSeries
    feedback: selectors.Feedback
    categories: list[tuple[str, Cell, Cell]]
    club: selectors.ClubAttendance
    activities: list[tuple[str, int, Cell]]
    costs: Costs
    by_age: selectors.TimeSeries
    month_place: selectors.MonthByPlace
    needs_by_age: selectors.ByAge
    places_by_age: selectors.ByAge


def build(period: Period) -> Report:
    now, before = selectors.totals(period), selectors.totals(period.previous())
    headers, months = by_month(period)
    heard = selectors.note_needs(period)
    needs_by_age, places_by_age = selectors.age_breakdowns(period, heard)
    return Report(
        period=period,
        previous=period.previous(),
        totals=now,
        before=before,
        steps=selectors.funnel(now),
        month_headers=headers,
        months=months,
        places=selectors.place_figures(period),
        needs=selectors.needs_by_place(period, heard),
        needs_time=selectors.needs_over_time(period, heard),
        ageing=selectors.problem_ageing(today=min(period.last, timezone.localdate())),
        feedback=selectors.time_to_feedback(period),
        categories=problems_by_category(period),
        club=selectors.club_attendance(period),
        activities=club_by_activity(period),
        costs=period_costs(period, now),
        by_age=selectors.notes_by_age(period),
        month_place=selectors.contacts_by_month_and_place(period),
        needs_by_age=needs_by_age,
        places_by_age=places_by_age,
    )


def _v(value: Any) -> Any:
    """A cell as the spreadsheet gets it: a number when it may be shown, else its text."""
    if isinstance(value, Cell):
        return value.shown if value.shown is not None else value.text
    if isinstance(value, Decimal):
        return float(value)
    return value


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]], *, first: bool = False) -> None:
    ws = wb.active if first else wb.create_sheet()
    assert ws is not None  # noqa: S101 - a new workbook always has its first sheet
    ws.title = title
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        ws.append([_v(v) for v in row])
    for i, h in enumerate(header, start=1):
        width = max([len(str(h))] + [len(str(_v(r[i - 1]))) for r in rows if i - 1 < len(r)])
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, width + 2))
    ws.freeze_panes = "A2"


def xlsx(report: Report) -> bytes:
    """The workbook: summary, by month, by place, needs, problems, Club, costs (Polish headers)."""
    with translation.override("pl"):
        return _xlsx(report)


def _xlsx(r: Report) -> bytes:
    wb = Workbook()
    summary: list[list[Any]] = [[_("Period"), r.period.label, r.previous.label, ""]]
    summary += [
        [row["label"], row["now"], row["before"], row["change"]] for row in selectors.comparison(r.totals, r.before)
    ]
    summary += [[s.label, s.n, "", s.conversion] for s in r.steps]
    summary += [
        [_("Time to feedback, median (days)"), r.feedback.median if r.feedback.median is not None else "–", "", ""],
        [_("Time to feedback, 90th percentile (days)"), r.feedback.p90 if r.feedback.p90 is not None else "–", "", ""],
        [_("Total cost (PLN)"), r.costs.total, "", ""],
    ]
    summary += [[u.label, u.amount if u.amount is not None else "–", "", ""] for u in r.costs.per]
    _sheet(
        wb,
        _("Summary"),
        [_("Indicator"), _("This period"), _("The period before"), _("Change (%) or share of the step before (%)")],
        summary,
        first=True,
    )
    _sheet(wb, _("By month"), [_("Month"), *r.month_headers], [[f"{m.month:%Y-%m}", *m.cells] for m in r.months])
    _sheet(
        wb,
        _("Places"),
        [
            _("Place"),
            _("Shifts held"),
            _("Hours on duty"),
            _("Residents talked to"),
            _("First contacts"),
            _("Open problems"),
            _("News not yet told"),
            _("Last duty"),
        ],
        [
            [
                f.place.name,
                f.shifts,
                f.hours,
                f.contacts,
                f.first_time,
                f.open_problems,
                f.untold,
                f.last_duty.isoformat() if f.last_duty else "",
            ]
            for f in r.places
        ],
    )
    mp = r.month_place
    if mp.table is not None:
        ws = wb.worksheets[-1]  # the by-place sheet, just written
        ws.append([])
        ws.append([_("Residents talked to, by month and place")])
        ws.append([_("Month"), *mp.places, _("Total")])
        for m, cells, total in zip(mp.months, mp.table.cells, mp.table.row_totals, strict=True):
            ws.append([f"{m:%Y-%m}", *[_v(c) for c in cells], _v(total)])
        ws.append([_("Total"), *[_v(c) for c in mp.table.col_totals], mp.table.total])
    need_rows: list[list[Any]] = [[place, *cells, total] for place, cells, total in r.needs.rows()]
    if r.needs.table is not None:
        need_rows.append([_("Total"), *r.needs.table.col_totals, r.needs.table.total])
    if need_rows:
        need_rows.append([])
    need_rows.append([_("Conversations by age band")])
    need_rows += [[label, c] for label, c in r.by_age.rows()]
    bands = [str(label) for _value, label in ConversationNote.AgeBand.choices]  # Polish whatever the reader's
    for by, heading, first in (
        (r.needs_by_age, _("Needs by age band"), _("Need")),
        (r.places_by_age, _("Places by age band"), _("Place")),
    ):
        if by.table is None:
            continue
        need_rows += [[], [heading], [first, *bands, _("Total")]]
        need_rows += [[label, *cells, total] for label, cells, total in by.rows()]
        need_rows.append([_("Total"), *by.table.col_totals, by.table.total])
    _sheet(wb, _("Needs"), [_("Place"), *[n.name for n in r.needs.needs], _("Total")], need_rows)
    problem_rows: list[list[Any]] = [[name, reported, still_open] for name, reported, still_open in r.categories]
    problem_rows.append(["", "", ""])
    problem_rows += [[_("Open now, %(age)s") % {"age": label}, c, ""] for label, c in r.ageing.rows()]
    _sheet(wb, _("Problems"), [_("Category"), _("Reported in the period"), _("Of them still open")], problem_rows)
    club_rows: list[list[Any]] = [[title, n, visits] for title, n, visits in r.activities]
    club_rows.append(["", "", ""])
    club_rows += [[label, "", c] for label, c in r.club.rows()]
    club_rows.append([_("First-time visitors"), "", r.club.first_time])
    _sheet(wb, _("Club"), [_("Activity or group"), _("Sessions held"), _("Visits")], club_rows)
    cost_rows: list[list[Any]] = [[line.label, line.amount, ""] for line in r.costs.lines]
    cost_rows.append([_("Total"), r.costs.total, ""])
    cost_rows += [[u.label, u.amount if u.amount is not None else "–", u.count] for u in r.costs.per]
    _sheet(wb, _("Costs"), [_("Cost"), _("Amount (PLN)"), _("Count")], cost_rows)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(period: Period) -> str:
    return f"mobilny-asystent-raport-{period.first:%Y-%m-%d}-{period.last:%Y-%m-%d}.xlsx"
