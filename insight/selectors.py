"""The coordinator's figures for a period: each is one grouped query, whatever the volume.

Counts come from the owners of their rules (``Problem.objects.open()``, ``.untold()``,
``.settled_between()``, ``Session.objects.held()``); every breakdown goes through
``core.smallnumbers`` before it reaches a page, a chart, a report or an export. Totals stay exact.

A contact is a resident the assistant talked to on a held (ended) shift: first-time or returning.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from club.models import Session
from core.smallnumbers import (
    Cell,
    Series,
    Table,
    cell,
    min_cell,
    safe_median,
    safe_percentile,
    suppress_series,
    suppress_table,
)
from duty.models import ConversationNote, Place, Shift
from needs.models import Need, Problem, ProblemEvent

from .dataversion import cached
from .periods import Period

AGE_BUCKETS = (
    (0, 7, gettext_lazy("under a week")),
    (7, 30, gettext_lazy("1–4 weeks")),
    (30, 90, gettext_lazy("1–3 months")),
    (90, None, gettext_lazy("over 3 months")),
)
RESIDENT_SOURCES = (Problem.Source.NOTE, Problem.Source.CONTACT_BOX)


def held_shifts(period: Period) -> QuerySet[Shift]:
    """Shifts that took place in the period (ended), by their planned start."""
    return Shift.objects.filter(
        status=Shift.Status.ENDED, planned_start__gte=period.start, planned_start__lt=period.end
    )


def held_sessions(period: Period) -> QuerySet[Session]:
    """Club sessions held in the period: future and cancelled ones never count."""
    return Session.objects.held().filter(starts_at__gte=period.start, starts_at__lt=period.end)


def duty_hours_expr() -> ExpressionWrapper:
    """How long a shift lasted: from start to end as recorded, else as planned."""
    return ExpressionWrapper(
        Coalesce(F("ended_at") - F("started_at"), F("planned_end") - F("planned_start")),
        output_field=DurationField(),
    )


def _hours(d: timedelta | None) -> float:
    return round((d or timedelta()).total_seconds() / 3600, 1)


# --- Totals --------------------------------------------------------------------------------


@dataclass
class Totals:
    shifts: int = 0
    hours: float = 0.0
    onlookers: int = 0
    first_time: int = 0
    returning: int = 0
    coffee: int = 0
    children: int = 0
    reported: int = 0
    told: int = 0
    settled: int = 0
    sharing: int = 0
    sessions: int = 0
    club_visits: int = 0
    club_first: int = 0

    @property
    def contacts(self) -> int:
        return self.first_time + self.returning

    @property
    def discovery(self) -> int:
        """Everyone who noticed the service: watched without talking, or went on to talk for the first time."""
        return self.onlookers + self.first_time


def totals(period: Period) -> Totals:
    """The period's totals in six queries; a period that is over is counted once per data version
    (the previous period of every page, and a past month or year asked again)."""
    if period.end <= timezone.now():
        return cached("totals", period, lambda: _count_totals(period))
    return _count_totals(period)


def _count_totals(period: Period) -> Totals:
    s = held_shifts(period).aggregate(
        shifts=Count("id"),
        hours=Sum(duty_hours_expr()),
        onlookers=Sum("onlookers"),
        first_time=Sum("first_time"),
        returning=Sum("returning"),
        coffee=Sum("coffee"),
        children=Sum("children"),
    )
    # Two index range reads rather than one pass over every problem.
    p = {
        "reported": Problem.objects.filter(
            reported_at__gte=period.start, reported_at__lt=period.end, source__in=RESIDENT_SOURCES
        ).count(),
        "settled": Problem.objects.settled_between(period.start, period.end).count(),
    }
    told = (
        ProblemEvent.objects.filter(kind=ProblemEvent.Kind.FEEDBACK_TOLD, at__gte=period.start, at__lt=period.end)
        .values("problem_id")
        .distinct()
        .count()
    )
    sharing = ConversationNote.objects.filter(
        date__gte=period.first, date__lte=period.last, stage=ConversationNote.Stage.SHARING
    ).count()
    c = held_sessions(period).aggregate(
        sessions=Count("id"),
        children=Sum("children"),
        youth=Sum("youth"),
        adults=Sum("adults"),
        seniors=Sum("seniors"),
        first=Sum("first_time"),
    )
    return Totals(
        shifts=s["shifts"],
        hours=_hours(s["hours"]),
        onlookers=s["onlookers"] or 0,
        first_time=s["first_time"] or 0,
        returning=s["returning"] or 0,
        coffee=s["coffee"] or 0,
        children=s["children"] or 0,
        reported=p["reported"],
        settled=p["settled"],
        told=told,
        sharing=sharing,
        sessions=c["sessions"],
        club_visits=sum(c[k] or 0 for k in ("children", "youth", "adults", "seniors")),
        club_first=c["first"] or 0,
    )


def change(now: float, before: float) -> float | None:
    """Change against the previous period in per cent; none when there was nothing before."""
    if not before:
        return None
    return round(100 * (now - before) / before, 1)


def comparison(now: Totals, before: Totals) -> list[dict[str, Any]]:
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


# --- The journey funnel --------------------------------------------------------------------


@dataclass
class Step:
    key: str
    stage: str
    label: str
    n: int
    previous: int | None = None

    @property
    def conversion(self) -> float | None:
        """Share of the step before, in per cent; none over fewer than STATS_MIN_CELL residents."""
        if self.previous is None or self.previous < min_cell():
            return None
        return round(100 * self.n / self.previous, 1)


def funnel(t: Totals) -> list[Step]:
    steps = [
        Step("discovery", _("Discovering"), _("Noticed the bike"), t.discovery),
        Step("first_contact", _("First contact"), _("First contact"), t.first_time),
        Step("returning", _("Using the service"), _("Came back"), t.returning),
        Step("reported", _("Using the service"), _("Reported a problem"), t.reported),
        Step("told", _("Using the service"), _("Heard back about a problem"), t.told),
        Step("sharing", _("Sharing"), _("Tells others, brings friends"), t.sharing),
        Step("club", _("Club"), _("Came to the Club for the first time"), t.club_first),
    ]
    for before, step in zip(steps, steps[1:], strict=False):
        step.previous = before.n
    return steps


# --- Series over time ----------------------------------------------------------------------


@dataclass
class TimeSeries:
    labels: list[str]
    series: Series

    def rows(self) -> list[tuple[str, Cell]]:
        return list(zip(self.labels, self.series.cells, strict=True))

    def chart(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "values": [c.shown for c in self.series.cells],
            "texts": [c.text for c in self.series.cells],
        }


def _weeks(period: Period) -> list[date]:
    monday = period.first - timedelta(days=period.first.weekday())
    out = []
    while monday <= period.last:
        out.append(monday)
        monday += timedelta(days=7)
    return out


def _as_date(value: date | datetime) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def contacts_per_week(period: Period) -> TimeSeries:
    tz = timezone.get_current_timezone()
    rows = (
        held_shifts(period)
        .annotate(week=TruncWeek("planned_start", tzinfo=tz))
        .values("week")
        .annotate(n=Sum(F("first_time") + F("returning")))
        .order_by()
    )
    by_week = {_as_date(r["week"]): r["n"] or 0 for r in rows}
    weeks = _weeks(period)
    return TimeSeries([f"{w:%d.%m}" for w in weeks], suppress_series([by_week.get(w, 0) for w in weeks]))


@dataclass
class NeedsOverTime:
    months: list[date]
    needs: list[Need]
    table: Table | None

    def chart(self) -> dict[str, Any]:
        if self.table is None:
            return {"labels": [], "datasets": []}
        # One line per need (columns of the month × need table); hidden cells are gaps.
        return {
            "labels": [f"{m:%m.%Y}" for m in self.months],
            "datasets": [
                {
                    "label": need.name,
                    "values": [row[j].shown for row in self.table.cells],
                    "texts": [row[j].text for row in self.table.cells],
                }
                for j, need in enumerate(self.needs)
            ],
        }


@dataclass
class NoteNeeds:
    """How often each need came up, by month and place: one pass over the period's note needs,
    read by both the needs-by-month chart and the place × need table."""

    counts: dict[tuple[date, str, int], int]
    needs: dict[int, Need]


def note_needs(period: Period) -> NoteNeeds:
    """Counted once per period and data version (notes and their needs bump it)."""
    return cached("note-needs", period, lambda: _count_note_needs(period))


def _count_note_needs(period: Period) -> NoteNeeds:
    through: Any = ConversationNote.needs.through
    rows = (
        through.objects.filter(conversationnote__date__gte=period.first, conversationnote__date__lte=period.last)
        .annotate(month=TruncMonth("conversationnote__date"))
        .values("month", "need_id", place_name=F("conversationnote__place__name"))
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {(_as_date(r["month"]), r["place_name"], r["need_id"]): r["n"] for r in rows}
    ids = {need_id for _m, _p, need_id in counts}
    needs = {n.pk: n for n in Need.objects.filter(pk__in=ids)} if ids else {}
    return NoteNeeds(counts, needs)


def _ordered(needs: dict[int, Need]) -> list[Need]:
    return sorted(needs.values(), key=lambda n: (n.order, n.name))


def needs_over_time(period: Period, data: NoteNeeds | None = None) -> NeedsOverTime:
    data = data or note_needs(period)
    by_month: dict[tuple[date, int], int] = defaultdict(int)
    for (month, _place, need_id), n in data.counts.items():
        by_month[(month, need_id)] += n
    needs = _ordered(data.needs)
    months = period.months()
    if not needs:
        return NeedsOverTime(months, [], None)
    return NeedsOverTime(months, needs, suppress_table([[by_month.get((m, n.pk), 0) for n in needs] for m in months]))


# --- Problems ------------------------------------------------------------------------------


def problem_ageing(*, today: date | None = None) -> TimeSeries:
    """Open problems by how long they have been open."""
    today = today or timezone.localdate()
    buckets = {}
    for i, (low, high, _label) in enumerate(AGE_BUCKETS):
        cond = Q(reported_at__lt=_day_start(today - timedelta(days=low - 1)))
        if high is not None:
            cond &= Q(reported_at__gte=_day_start(today - timedelta(days=high - 1)))
        buckets[f"b{i}"] = Count("id", filter=cond)
    counts = Problem.objects.open().aggregate(**buckets)
    return TimeSeries(
        [str(label) for _l, _h, label in AGE_BUCKETS],
        suppress_series([counts[f"b{i}"] for i in range(len(AGE_BUCKETS))]),
    )


def _day_start(day: date) -> datetime:
    from .periods import local_midnight

    return local_midnight(day)


@dataclass
class Feedback:
    count: int
    median: float | None
    p90: float | None


def time_to_feedback(period: Period) -> Feedback:
    """Days from a report to the first time residents heard back, for problems first told in the period."""
    # From the told events (few) rather than all problems: the first telling of each problem,
    # kept when it falls in the period.
    firsts = (
        ProblemEvent.objects.filter(kind=ProblemEvent.Kind.FEEDBACK_TOLD, at__lt=period.end)
        .values("problem_id")
        .annotate(first_told=Min("at"), reported=Min("problem__reported_at"))
        .filter(first_told__gte=period.start)
        .order_by()
        .values_list("reported", "first_told")
    )
    days = [(told - reported).total_seconds() / 86400 for reported, told in firsts]
    median, p90 = safe_median(days), safe_percentile(days, 90)
    return Feedback(
        count=len(days),
        median=None if median is None else round(median, 1),
        p90=None if p90 is None else round(p90, 1),
    )


# --- Club ----------------------------------------------------------------------------------

CLUB_GROUPS = (
    ("children", gettext_lazy("Children")),
    ("youth", gettext_lazy("Youth")),
    ("adults", gettext_lazy("Adults")),
    ("seniors", gettext_lazy("Seniors")),
)


@dataclass
class ClubAttendance:
    sessions: int
    recorded: int
    labels: list[str]
    groups: Series
    first_time: Cell

    def rows(self) -> list[tuple[str, Cell]]:
        return list(zip(self.labels, self.groups.cells, strict=True))

    def chart(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "values": [c.shown for c in self.groups.cells],
            "texts": [c.text for c in self.groups.cells],
        }


def club_attendance(period: Period) -> ClubAttendance:
    agg = held_sessions(period).aggregate(
        sessions=Count("id"),
        recorded=Count("id", filter=Q(attendance_recorded_at__isnull=False)),
        first_time=Sum("first_time"),
        **{key: Sum(key) for key, _label in CLUB_GROUPS},
    )
    return ClubAttendance(
        sessions=agg["sessions"],
        recorded=agg["recorded"],
        labels=[str(label) for _k, label in CLUB_GROUPS],
        groups=suppress_series([agg[key] for key, _label in CLUB_GROUPS]),
        first_time=cell(agg["first_time"]),
    )


# --- By place ------------------------------------------------------------------------------


@dataclass
class NeedsByPlace:
    places: list[str]
    needs: list[Need]
    table: Table | None

    def rows(self) -> list[tuple[str, list[Cell], Cell]]:
        if self.table is None:
            return []
        return list(zip(self.places, self.table.cells, self.table.row_totals, strict=True))


def needs_by_place(period: Period, data: NoteNeeds | None = None) -> NeedsByPlace:
    data = data or note_needs(period)
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (_month, place, need_id), n in data.counts.items():
        counts[place][need_id] += n
    needs = _ordered(data.needs)
    places = sorted(counts, key=lambda p: (-sum(counts[p].values()), p))
    if not places:
        return NeedsByPlace([], [], None)
    return NeedsByPlace(places, needs, suppress_table([[counts[p].get(n.pk, 0) for n in needs] for p in places]))


@dataclass
class PlaceFigures:
    place: Place
    contacts: Cell
    first_time: Cell
    shifts: int
    hours: float
    open_problems: Cell
    untold: Cell
    last_duty: date | None
    # exact values, for ranking only: never shown
    exact: dict[str, float] = field(default_factory=dict)


def place_figures(period: Period, *, places: QuerySet[Place] | None = None) -> list[PlaceFigures]:
    """Per place: contacts and duty hours in the period, open and untold problems now, the last duty.

    Four queries. Each column is a breakdown by place whose total is shown elsewhere, so each is
    suppressed as a series (problems without a place are a part of it too).
    """
    places_list = list(places if places is not None else Place.objects.filter(active=True))
    ids = [p.pk for p in places_list]
    duty: dict[int, Any] = {
        r["place_id"]: r
        for r in held_shifts(period)
        .filter(place_id__in=ids)
        .values("place_id")
        .annotate(
            contacts=Sum(F("first_time") + F("returning")),
            firsts=Sum("first_time"),
            shifts=Count("id"),
            hours=Sum(duty_hours_expr()),
        )
        .order_by()
    }
    last = dict(
        Shift.objects.filter(status=Shift.Status.ENDED, place_id__in=ids)
        .values("place_id")
        .annotate(last=Max("planned_start"))
        .order_by()
        .values_list("place_id", "last")
    )
    open_rows = dict(
        Problem.objects.open().values("place_id").annotate(n=Count("id")).order_by().values_list("place_id", "n")
    )
    untold_rows = dict(
        Problem.objects.untold().values("place_id").annotate(n=Count("id")).order_by().values_list("place_id", "n")
    )

    def column(values: dict[Any, int], key_extra: bool) -> tuple[list[Cell], Cell | None]:
        series = [values.get(pk, 0) for pk in ids]
        extra = sum(v for k, v in values.items() if k not in ids) if key_extra else 0
        s = suppress_series([*series, extra] if key_extra else series)
        return s.cells[: len(ids)], (s.cells[-1] if key_extra else None)

    contacts, _ = column({pk: r["contacts"] or 0 for pk, r in duty.items()}, False)
    firsts, _ = column({pk: r["firsts"] or 0 for pk, r in duty.items()}, False)
    open_cells, _ = column(open_rows, True)
    untold_cells, _ = column(untold_rows, True)
    out = []
    for i, place in enumerate(places_list):
        d: dict[str, Any] = dict(duty.get(place.pk, {}))
        last_at = last.get(place.pk)
        out.append(
            PlaceFigures(
                place=place,
                contacts=contacts[i],
                first_time=firsts[i],
                shifts=d.get("shifts", 0),
                hours=_hours(d.get("hours")),
                open_problems=open_cells[i],
                untold=untold_cells[i],
                last_duty=timezone.localtime(last_at).date() if last_at else None,
                exact={
                    "contacts": d.get("contacts") or 0,
                    "first_time": d.get("firsts") or 0,
                    "hours": _hours(d.get("hours")),
                    "open": open_rows.get(place.pk, 0),
                    "untold": untold_rows.get(place.pk, 0),
                },
            )
        )
    return out


def map_points(figures: list[PlaceFigures]) -> list[dict[str, Any]]:
    """What the map draws: places with coordinates and their published figures only."""
    points = []
    for f in figures:
        if f.place.lat is None or f.place.lon is None:
            continue
        points.append(
            {
                "name": f.place.name,
                "lat": float(f.place.lat),
                "lon": float(f.place.lon),
                # A small count is drawn at the smallest size: the radius must not give it away.
                "size": f.contacts.shown or 0,
                "contacts": f.contacts.text,
                "open": f.open_problems.text,
                "open_level": 0 if f.open_problems.value == 0 else (1 if f.open_problems.shown is None else 2),
                "untold": f.untold.text,
                "shifts": f.shifts,
                "hours": f.hours,
                "last_duty": f.last_duty.isoformat() if f.last_duty else "",
            }
        )
    return points


# --- Where next ----------------------------------------------------------------------------

SCORE_POINTS = 20  # each of the five parts gives 0–20 points, so a score is 0–100
STALE_DAYS = 60  # a place not visited for this long gets all the points of that part


@dataclass
class ScorePart:
    key: str
    label: str
    shown: str  # the figure as it may be shown
    points: float


@dataclass
class Hotspot:
    figures: PlaceFigures
    parts: list[ScorePart]
    needs: list[tuple[str, Cell]]

    @property
    def score(self) -> float:
        return round(sum(p.points for p in self.parts), 1)


def hotspots(period: Period, *, today: date | None = None) -> list[Hotspot]:
    """Active places ranked by where the bike is needed next, each score split into its parts.

    Parts (0–20 points each, scaled to the highest place): residents talked to per hour on duty;
    the share of first contacts among them; open problems plus news not yet told; needs heard there
    whose service bundles are incomplete (the bundles' own selector); days since the last duty.
    """
    from bundles.selectors import demand_rank, needs_heard_with_incomplete_bundles

    today = today or timezone.localdate()
    figures = place_figures(period)
    gaps: dict[str, list[tuple[str, Cell]]] = defaultdict(list)
    for row in needs_heard_with_incomplete_bundles(today=period.last, days=period.days):
        for demand in row.by_place:
            gaps[demand.name].append((row.need.name, demand.count))

    # Every part is computed from what may be shown (demand_rank: "<5" counts as 1, a hidden
    # count as the smallest shown one), so points never tell a 1 from a 4.
    def rate(f: PlaceFigures) -> float:
        return demand_rank(f.contacts) / f.exact["hours"] if f.exact["hours"] else 0.0

    def first_share(f: PlaceFigures) -> float | None:
        if f.contacts.shown is None or f.contacts.shown < min_cell():
            return None
        return min(1.0, demand_rank(f.first_time) / f.contacts.shown)

    def waiting(f: PlaceFigures) -> int:
        return demand_rank(f.open_problems) + demand_rank(f.untold)

    def unmet(f: PlaceFigures) -> int:
        return sum(demand_rank(c) for _n, c in gaps.get(f.place.name, []))

    def idle(f: PlaceFigures) -> int:
        return STALE_DAYS if f.last_duty is None else min(STALE_DAYS, (today - f.last_duty).days)

    top_rate = max([rate(f) for f in figures] + [0.0]) or 1.0
    top_waiting = max([waiting(f) for f in figures] + [0]) or 1
    top_unmet = max([unmet(f) for f in figures] + [0]) or 1
    out = []
    for f in figures:
        share = first_share(f)
        small_contacts = f.contacts.shown is None
        waiting_text = f"{f.open_problems.text} + {f.untold.text}"
        idle_days = None if f.last_duty is None else (today - f.last_duty).days
        parts = [
            ScorePart(
                "rate",
                _("Residents talked to per hour on duty"),
                "–" if small_contacts or not f.exact["hours"] else number_format(rate(f), 1),
                SCORE_POINTS * rate(f) / top_rate,
            ),
            ScorePart(
                "first",
                _("Share of first contacts"),
                "–" if share is None or f.first_time.shown is None else f"{round(100 * share)}%",
                SCORE_POINTS * (share or 0.0),
            ),
            ScorePart(
                "problems",
                _("Open problems + news not yet told"),
                waiting_text,
                SCORE_POINTS * waiting(f) / top_waiting,
            ),
            ScorePart(
                "needs",
                _("Needs heard with incomplete bundles"),
                ", ".join(f"{name} ({c.text})" for name, c in gaps.get(f.place.name, [])) or "0",
                SCORE_POINTS * unmet(f) / top_unmet,
            ),
            ScorePart(
                "idle",
                _("Days since the last duty"),
                _("never") if idle_days is None else str(idle_days),
                SCORE_POINTS * idle(f) / STALE_DAYS,
            ),
        ]
        for p in parts:
            p.points = round(p.points, 1)
        out.append(Hotspot(f, parts, gaps.get(f.place.name, [])))
    out.sort(key=lambda h: (-h.score, h.figures.place.name))
    return out


@dataclass
class Unplaced:
    location: str
    count: Cell
    codes: list[str]
    lat: float | None
    lon: float | None


def unplaced_problems(limit: int = 50) -> list[Unplaced]:
    """Open problems reported with no place: where they are, in words, grouped by that text."""
    groups: dict[str, list[Problem]] = defaultdict(list)
    for p in (
        Problem.objects.open()
        .filter(place__isnull=True)
        .only("code", "location", "lat", "lon")
        .order_by("-reported_at")[:500]
    ):
        groups[(p.location or "").strip().lower()].append(p)
    out = []
    for problems in groups.values():
        first = problems[0]
        out.append(
            Unplaced(
                location=first.location.strip() or "",
                count=cell(len(problems)),
                codes=[p.code for p in problems[:5]],
                lat=float(first.lat) if first.lat is not None else None,
                lon=float(first.lon) if first.lon is not None else None,
            )
        )
    out.sort(key=lambda u: (-u.count.value, u.location))
    return out[:limit]


# --- More breakdowns: conversations by age band, contacts by month × place ----------------------


def notes_by_age(period: Period) -> TimeSeries:
    """Conversation notes of the period by the resident's age band (once per data version)."""
    counts: dict[str, int] = cached("notes-by-age", period, lambda: _count_notes_by_age(period))
    bands = ConversationNote.AgeBand.choices
    return TimeSeries([str(label) for _v, label in bands], suppress_series([counts.get(v, 0) for v, _l in bands]))


def _count_notes_by_age(period: Period) -> dict[str, int]:
    return dict(
        ConversationNote.objects.filter(date__gte=period.first, date__lte=period.last)
        .values("age_band")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("age_band", "n")
    )


@dataclass
class ByAge:
    """Rows (needs or places) × the residents' age bands, small counts suppressed as everywhere."""

    labels: list[str]
    bands: list[str]
    table: Table | None

    def rows(self) -> list[tuple[str, list[Cell], Cell]]:
        if self.table is None:
            return []
        return list(zip(self.labels, self.table.cells, self.table.row_totals, strict=True))


def _by_age(counts: dict[tuple[Any, str], int], label: Callable[[Any], str]) -> ByAge:
    bands = ConversationNote.AgeBand.choices
    per_row: dict[Any, dict[str, int]] = defaultdict(dict)
    for (row, band), n in counts.items():
        per_row[row][band] = n
    rows = sorted(per_row, key=lambda r: (-sum(per_row[r].values()), label(r)))
    names = [str(name) for _v, name in bands]
    if not rows:
        return ByAge([], names, None)
    return ByAge(
        [label(r) for r in rows], names, suppress_table([[per_row[r].get(v, 0) for v, _n in bands] for r in rows])
    )


def _count_age_breakdowns(period: Period) -> tuple[dict[tuple[int, str], int], dict[tuple[Any, str], int]]:
    through: Any = ConversationNote.needs.through
    needs = (
        through.objects.filter(conversationnote__date__gte=period.first, conversationnote__date__lte=period.last)
        .values("need_id", band=F("conversationnote__age_band"))
        .annotate(n=Count("id"))
        .order_by()
    )
    places = (
        ConversationNote.objects.filter(date__gte=period.first, date__lte=period.last)
        .values("age_band", place_name=F("place__name"))
        .annotate(n=Count("id"))
        .order_by()
    )
    return (
        {(r["need_id"], r["band"]): r["n"] for r in needs},
        {(r["place_name"], r["age_band"]): r["n"] for r in places},
    )


def age_breakdowns(period: Period, heard: NoteNeeds) -> tuple[ByAge, ByAge]:
    """Needs × age band and place × age band, in two queries counted once per data version."""
    needs, places = cached("age-breakdowns", period, lambda: _count_age_breakdowns(period))
    known = {n.pk: n.name for n in heard.needs.values()}
    return (
        _by_age(needs, lambda pk: known.get(pk, "?")),
        _by_age(places, lambda name: name or "—"),
    )


@dataclass
class MonthByPlace:
    months: list[date]
    places: list[str]
    table: Table | None


def contacts_by_month_and_place(period: Period) -> MonthByPlace:
    """Residents talked to, month × place (rows: months), suppressed as a table with its margins."""
    tz = timezone.get_current_timezone()
    rows = (
        held_shifts(period)
        .annotate(m=TruncMonth("planned_start", tzinfo=tz))
        .values("m", "place__name")
        .annotate(n=Sum(F("first_time") + F("returning")))
        .order_by()
    )
    counts = {(_as_date(r["m"]).replace(day=1), r["place__name"]): r["n"] or 0 for r in rows}
    places = sorted({p for _m, p in counts})
    months = period.months()
    if not places:
        return MonthByPlace(months, [], None)
    return MonthByPlace(months, places, suppress_table([[counts.get((m, p), 0) for p in places] for m in months]))
