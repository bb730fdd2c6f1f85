"""Reads shared by the pages and the API, with their related rows already joined."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from core.smallnumbers import Cell, cell, min_cell, suppress_table
from duty.models import ConversationNote, Shift
from needs.models import Need

from .models import Completeness, Service, ServiceTold, on_offer_q

DEMAND_DAYS = 90


def services_for_needs(codes: list[str], *, public_only: bool = False) -> QuerySet[Service]:
    """Services on offer today answering any of the needs (public ones only for residents)."""
    qs = Service.objects.public() if public_only else Service.objects.active()
    return qs.for_needs(codes).select_related("partner", "type").order_by("type__order", "name", "pk")


def needs_with_counts(today: date | None = None) -> QuerySet[Need]:
    """Active needs, each with the counts of its bundles' services on offer today.

    A need's supply is the union of the services of the active bundles that answer it (a bundle
    for that need alone, or for a situation covering it); ``Need.completeness`` is not a field,
    use ``completeness_of(need)``.
    """
    on_offer = Q(bundles__active=True) & on_offer_q("bundles__services__", today)
    return (
        Need.objects.filter(active=True)
        .annotate(
            n_services=Count("bundles__services", filter=on_offer, distinct=True),
            n_types=Count("bundles__services__type", filter=on_offer, distinct=True),
            n_partners=Count("bundles__services__partner", filter=on_offer, distinct=True),
            n_bundles=Count("bundles", filter=Q(bundles__active=True), distinct=True),
        )
        .order_by("order", "name")
    )


def completeness_of(need: Need) -> Completeness:
    """For a need from ``needs_with_counts``."""
    return Completeness.of(
        services=need.n_services,  # type: ignore[attr-defined]
        types=need.n_types,  # type: ignore[attr-defined]
        partners=need.n_partners,  # type: ignore[attr-defined]
    )


@dataclass
class PlaceDemand:
    name: str
    count: Cell


@dataclass
class DiagnosisRow:
    """A need's demand next to its supply. ``heard`` is exact and for sorting on the server only:
    pages, exports and maps show ``heard_cell`` and the ``by_place`` cells."""

    need: Need
    heard: int
    heard_cell: Cell
    by_place: list[PlaceDemand]
    completeness: Completeness


def demand_rank(count: Cell) -> int:
    """Where a count sorts, from what may be shown only.

    An exact order among "<5" cells (or among hidden ones) would tell 1 from 4: small counts sort
    together just above zero, hidden ones together with the smallest shown counts.
    """
    if count.shown is not None:
        return count.shown
    return min_cell() if count.hidden else 1


def diagnosis(*, today: date | None = None, days: int = DEMAND_DAYS) -> list[DiagnosisRow]:
    """Demand next to supply, for the OWES animator.

    Demand: conversation notes tagged with the need in the last ``days`` days, by place (a need ×
    place table, small cells suppressed by ``core.smallnumbers``). Supply: the need's bundle
    completeness. Needs heard often whose bundles are incomplete come first: that is where
    partnerships must be built. Two queries, whatever the number of needs and places.
    """
    today = today or timezone.localdate()
    since = today - timedelta(days=days - 1)
    through = ConversationNote.needs.through
    demand = (
        through.objects.filter(conversationnote__date__gte=since, conversationnote__date__lte=today)
        .values("need_id", "conversationnote__place__name")
        .annotate(n=Count("conversationnote_id"))  # (note, need) is unique in the through table
    )
    counts: dict[tuple[int, str], int] = {}
    for row in demand:
        counts[(row["need_id"], row["conversationnote__place__name"])] = row["n"]
    needs = list(needs_with_counts(today))
    places = sorted({place for _need, place in counts})
    table = suppress_table([[counts.get((n.pk, p), 0) for p in places] for n in needs]) if places else None
    rows = []
    for i, need in enumerate(needs):
        by_place: list[PlaceDemand] = []
        heard = 0
        heard_cell = cell(0)
        if table is not None:
            heard, heard_cell = table.row_totals[i].value, table.row_totals[i]
            by_place = [PlaceDemand(p, c) for p, c in zip(places, table.cells[i], strict=True) if c.value]
            by_place.sort(key=lambda d: (-d.count.value, d.name))
        rows.append(DiagnosisRow(need, heard, heard_cell, by_place, completeness_of(need)))
    rows.sort(key=lambda r: (r.completeness.complete, -demand_rank(r.heard_cell), r.need.order, r.need.name))
    return rows


def needs_heard_with_incomplete_bundles(*, today: date | None = None, days: int = DEMAND_DAYS) -> list[DiagnosisRow]:
    """Needs heard on the bike in the last ``days`` days whose bundles are not complete, most heard
    first: where partnerships must be built. The top of the diagnosis, and the layer a hotspot map
    reads (each row's ``by_place`` says where, already suppressed)."""
    return [r for r in diagnosis(today=today, days=days) if not r.completeness.complete and r.heard]


def told_counts(shift: Shift) -> dict[int, dict[str, int]]:
    """``{service_id: {"told": n, "handoff": m}}`` for one shift."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"told": 0, "handoff": 0})
    for row in ServiceTold.objects.filter(shift=shift).values("service_id", "kind").annotate(n=Count("pk")):
        counts[row["service_id"]][row["kind"]] = row["n"]
    return dict(counts)


def told_totals(
    services: list[int], *, today: date | None = None, days: int = DEMAND_DAYS
) -> dict[int, dict[str, Cell]]:
    """How often residents were told about each service (and walked over) in the last ``days``
    days, on every shift: ``{service_id: {"told": cell, "handoff": cell}}``, small counts as "<5"."""
    today = today or timezone.localdate()
    since = today - timedelta(days=days - 1)
    rows = (
        ServiceTold.objects.filter(service_id__in=services, at__date__gte=since, at__date__lte=today)
        .values("service_id", "kind")
        .annotate(n=Count("pk"))
    )
    found = {(r["service_id"], r["kind"]): r["n"] for r in rows}
    return {pk: {kind: cell(found.get((pk, kind), 0)) for kind in ServiceTold.Kind.values} for pk in services}


def told_on_shift(shift: Shift) -> list[dict[str, object]]:
    """The services residents heard about on one shift, most told first, with both counts (one query)."""
    rows = (
        ServiceTold.objects.filter(shift=shift)
        .values("service_id", "service__name", "service__partner__name")
        .annotate(
            told=Count("pk", filter=Q(kind=ServiceTold.Kind.TOLD)),
            handoff=Count("pk", filter=Q(kind=ServiceTold.Kind.HANDOFF)),
        )
        .order_by("-told", "-handoff", "service__name")
    )
    return [
        {"name": r["service__name"], "partner": r["service__partner__name"], "told": r["told"], "handoff": r["handoff"]}
        for r in rows
    ]


def phone_services() -> dict[str, dict[str, Any]]:
    """Every service on offer, for the phone's "Co może pomóc?" (kept offline with the duty screen).

    ``{"services": {id: row}, "partners": {id: row}, "needs": {need code: [service id, …]}}``: each
    service and partner is written once, and only what differs from the usual (paid, internal), as it
    travels in every cold open of the duty screen. Staff see internal services too: the list is
    embedded only in the signed-in duty screen.
    """
    services = (
        Service.objects.active()
        .select_related("partner", "type")
        .prefetch_related(Prefetch("needs", queryset=Need.objects.filter(active=True).only("code")))
        .order_by("type__order", "name", "pk")
    )
    rows: dict[str, dict[str, object]] = {}
    partners: dict[str, dict[str, object]] = {}
    by_need: dict[str, list[int]] = defaultdict(list)
    for s in services:
        row: dict[str, object] = {"name": s.name, "type": s.type.name, "partner": s.partner_id, "how": s.how_to_get}
        if not s.free:
            row["paid"] = 1
        if not s.public:
            row["internal"] = 1
        rows[str(s.pk)] = row
        p = s.partner
        where = " · ".join(x for x in (p.address, p.opening_hours, p.public_phone) if x)
        partners.setdefault(str(p.pk), {"name": p.name, "where": where})
        for need in s.needs.all():
            by_need[need.code].append(s.pk)
    return {"services": rows, "partners": partners, "needs": dict(by_need)}


def public_needs() -> QuerySet[Need]:
    """Needs that have at least one public service on offer, with how many."""
    on_offer = Q(services__public=True) & on_offer_q("services__")
    return (
        Need.objects.filter(active=True)
        .annotate(n_public=Count("services", filter=on_offer, distinct=True))
        .filter(n_public__gt=0)
        .order_by("order", "name")
    )
