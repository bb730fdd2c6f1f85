"""Reporting periods: a month, a quarter, a year or any range of local days, and the one before it.

A period is a range of whole local days (Europe/Warsaw). Its bounds as instants are local
midnights made aware one by one, so a range that crosses a change of clocks is 23 or 25 hours
longer or shorter, never a day off: durations are counted in days, never as 24-hour steps.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MONTH, QUARTER, YEAR, RANGE = "month", "quarter", "year", "range"
MAX_DAYS = 366 * 5


def local_midnight(day: date) -> datetime:
    """The instant a local day begins (a midnight is never skipped or repeated in Warsaw)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    first: date  # inclusive
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        """The instant just after the period (exclusive)."""
        return local_midnight(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def kind(self) -> str:
        if self.first.day == 1 and self.last == _month_end(self.first):
            return MONTH
        if (
            self.first.day == 1
            and self.first.month in (1, 4, 7, 10)
            and self.last == _month_end(_add_months(self.first, 2))
        ):
            return QUARTER
        if (self.first.month, self.first.day) == (1, 1) and self.last == date(self.first.year, 12, 31):
            return YEAR
        return RANGE

    def previous(self) -> "Period":
        """The period just before: the month, quarter or year before, or as many days before a range."""
        kind = self.kind
        if kind in (MONTH, QUARTER, YEAR):
            months = {MONTH: 1, QUARTER: 3, YEAR: 12}[kind]
            first = _add_months(self.first, -months)
            return Period(first, self.first - timedelta(days=1))
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def next(self) -> "Period":
        kind = self.kind
        if kind in (MONTH, QUARTER, YEAR):
            months = {MONTH: 1, QUARTER: 3, YEAR: 12}[kind]
            first = _add_months(self.first, months)
            return Period(first, _month_end(_add_months(first, months - 1)))
        return Period(self.last + timedelta(days=1), self.last + timedelta(days=self.days))

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last

    @property
    def query(self) -> str:
        return f"od={self.first.isoformat()}&do={self.last.isoformat()}"

    @property
    def label(self) -> str:
        return f"{self.first:%d.%m.%Y} – {self.last:%d.%m.%Y}"

    def months(self) -> list[date]:
        """The first days of the months the period touches."""
        out, month = [], self.first.replace(day=1)
        while month <= self.last:
            out.append(month)
            month = _add_months(month, 1)
        return out

    @classmethod
    def month_of(cls, day: date) -> "Period":
        return cls(day.replace(day=1), _month_end(day))

    @classmethod
    def quarter_of(cls, day: date) -> "Period":
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return cls(first, _month_end(_add_months(first, 2)))

    @classmethod
    def year_of(cls, day: date) -> "Period":
        return cls(date(day.year, 1, 1), date(day.year, 12, 31))


def parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date (YYYY-MM-DD) for “%(name)s”."), params={"value": value, "name": name}
        ) from None


def period_from_query(params: Mapping[str, str], *, default: str = MONTH) -> Period:
    """``?od=YYYY-MM-DD&do=YYYY-MM-DD`` (either may be left out), else the current month.

    Refuses what it cannot parse (ValidationError): an unreadable date, an end before the start,
    a range of more than five years.
    """
    get = params.get
    today = timezone.localdate()
    raw_first, raw_last = (get("od") or "").strip(), (get("do") or "").strip()
    if not raw_first and not raw_last:
        return {MONTH: Period.month_of, QUARTER: Period.quarter_of, YEAR: Period.year_of}[default](today)
    first = parse_day(raw_first, "od") if raw_first else None
    last = parse_day(raw_last, "do") if raw_last else None
    if first is None and last is not None:
        first = last.replace(day=1)
    if first is None:
        first = today
    if last is None:
        last = max(first, today)
    if last < first:
        raise ValidationError(_("The end of the period is before its start."))
    if (last - first).days > MAX_DAYS:
        raise ValidationError(_("A period can be at most five years long."))
    return Period(first, last)
