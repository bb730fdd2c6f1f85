"""What the period cost, and what a contact, a first contact, a Club visit and a settled problem cost.

Investments are spread evenly over their amortisation months, and every monthly amount over the
days of its month, so any range of days gets its exact share (a 10-day range in a 31-day month
gets 10/31 of that month's costs).
"""

import calendar
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from core.smallnumbers import min_cell

from .models import CostSettings, Investment, MonthlyCost
from .periods import Period
from .selectors import Totals, duty_hours_expr, held_shifts

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class CostLine:
    key: str
    label: str
    amount: Decimal


@dataclass
class UnitCost:
    key: str
    label: str
    count: int
    amount: Decimal | None  # none over fewer than STATS_MIN_CELL items: no average of a handful


@dataclass
class Costs:
    lines: list[CostLine]
    total: Decimal
    per: list[UnitCost]


def staff_hours_cost(period: Period, rate: Decimal) -> Decimal:
    """Hours of held shifts × assistants on them (at least one) × the rate."""
    total = Decimal(0)
    rows = held_shifts(period).annotate(n=Count("assistants"), length=duty_hours_expr()).values_list("n", "length")
    for n, length in rows:
        hours = Decimal((length or timedelta()).total_seconds()) / 3600
        total += hours * max(n, 1) * rate
    return total


def period_costs(period: Period, totals: Totals) -> Costs:
    investments = list(Investment.objects.all())
    monthly = list(MonthlyCost.objects.all())
    settings = CostSettings.current()
    rate = settings.staff_cost_per_hour
    amounts: dict[str, Decimal] = {"investments": Decimal(0)}
    day = period.first
    while day <= period.last:
        share = Decimal(1) / calendar.monthrange(day.year, day.month)[1]
        for inv in investments:
            if inv.active_on(day):
                amounts["investments"] += inv.monthly * share
        for cost in monthly:
            if rate is not None and cost.kind == MonthlyCost.Kind.SALARIES:
                continue
            if cost.active_on(day):
                amounts[cost.kind] = amounts.get(cost.kind, Decimal(0)) + cost.amount * share
        day += timedelta(days=1)
    lines = [CostLine("investments", _("Amortisation of investments"), money(amounts.pop("investments")))]
    for kind, label in MonthlyCost.Kind.choices:
        if kind in amounts:
            lines.append(CostLine(kind, str(label), money(amounts[kind])))
    if rate is not None:
        lines.append(
            CostLine("staff_hours", _("Staff time (hours on duty × rate)"), money(staff_hours_cost(period, rate)))
        )
    total = sum((line.amount for line in lines), Decimal(0))

    def per(key: str, label: str, n: int) -> UnitCost:
        return UnitCost(key, label, n, money(total / n) if n >= min_cell() else None)

    return Costs(
        lines=lines,
        total=money(total),
        per=[
            per("contact", _("Cost per contact"), totals.contacts),
            per("first_contact", _("Cost per first contact"), totals.first_time),
            per("club_visit", _("Cost per Club visit"), totals.club_visits),
            per("settled", _("Cost per problem settled"), totals.settled),
        ],
    )
