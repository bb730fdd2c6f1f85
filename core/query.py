"""Query-string values parsed once, at the edge: a value that cannot be used is a 400 with a
field message, never a 500 from deep inside a filter, a date or PostgreSQL.

Every helper returns the default when the parameter is absent or empty and raises
``InvalidInput`` (a ``BadRequest``) when it is present but unusable.
"""

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import BadRequest, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Dates a page or filter may ask for: wide enough for any plan or history, narrow enough that
# "a week later" or "a month earlier" never leaves Python's or PostgreSQL's calendar.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
# Ids are PostgreSQL bigints; anything larger cannot name a row.
MAX_ID = 2**63 - 1


class InvalidInput(BadRequest):
    """A refused request value: answered with 400 and ``{field: [message]}``."""

    def __init__(self, field: str, message: Any) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = str(message)

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return {self.field: [self.message]}


def _raw(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def parse_date(value: str, *, field: str, earliest: date = EARLIEST, latest: date = LATEST) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, _("Enter a date as YYYY-MM-DD.")) from None
    if not earliest <= day <= latest:
        raise InvalidInput(
            field,
            _("Enter a date from %(earliest)s to %(latest)s.")
            % {"earliest": earliest.isoformat(), "latest": latest.isoformat()},
        )
    return day


def query_date(
    params: Mapping[str, Any],
    name: str,
    default: date | None = None,
    *,
    earliest: date = EARLIEST,
    latest: date = LATEST,
) -> date | None:
    raw = _raw(params, name)
    return default if raw is None else parse_date(raw, field=name, earliest=earliest, latest=latest)


def query_datetime(params: Mapping[str, Any], name: str) -> datetime | None:
    """An ISO 8601 date-time (a ``+`` in the offset may arrive as a space); naive means local time."""
    raw = _raw(params, name)
    if raw is None:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
    except ValueError:  # well-formed but impossible, e.g. 30 February or hour 25
        value = None
    if value is None:
        raise InvalidInput(name, _("Enter a date and time in ISO 8601, e.g. 2026-05-04T10:00:00+02:00."))
    if not EARLIEST <= value.date() <= LATEST:
        raise InvalidInput(
            name,
            _("Enter a date from %(earliest)s to %(latest)s.")
            % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )
    if timezone.is_naive(value):
        try:
            return local_datetime(value.date(), value.time(), field=name)
        except ValidationError as error:
            raise InvalidInput(name, error.message_dict[name][0]) from None
    return value


def query_int(
    params: Mapping[str, Any], name: str, default: int | None = None, *, minimum: int = 0, maximum: int = MAX_ID
) -> int | None:
    raw = _raw(params, name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 20:
        raise InvalidInput(name, _("Enter a whole number."))
    value = int(raw)
    if not minimum <= value <= maximum:
        raise InvalidInput(
            name, _("Enter a number from %(minimum)s to %(maximum)s.") % {"minimum": minimum, "maximum": maximum}
        )
    return value


def query_id(params: Mapping[str, Any], name: str) -> int | None:
    """A row id: a positive whole number PostgreSQL can hold."""
    return query_int(params, name, minimum=1, maximum=MAX_ID)


def query_float(
    params: Mapping[str, Any], name: str, default: float | None = None, *, minimum: float, maximum: float
) -> float | None:
    """A finite number within bounds: no nan, inf or 1e400."""
    raw = _raw(params, name)
    if raw is None:
        return default
    try:
        value = float(raw) if len(raw) <= 32 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidInput(name, _("Enter a number."))
    if not minimum <= value <= maximum:
        raise InvalidInput(
            name, _("Enter a number from %(minimum)s to %(maximum)s.") % {"minimum": minimum, "maximum": maximum}
        )
    return value


DST_GAP_MESSAGE = gettext_lazy(
    "There is no %(time)s on %(day)s: the clocks go forward that night. Choose another time."
)


def local_datetime(day: date, at: time, *, field: str | None = None, tz: Any = None) -> datetime:
    """``day`` at ``at`` in local time; a time the clocks skip (the spring DST gap) is refused.

    ``zoneinfo`` would quietly move such a time by an hour, storing a time nobody typed. Ambiguous
    autumn times take the first (summer-time) occurrence.
    """
    tz = tz or timezone.get_current_timezone()
    value = datetime.combine(day, at, tzinfo=tz)
    back = value.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != value.replace(tzinfo=None):
        message = DST_GAP_MESSAGE % {"time": at.strftime("%H:%M"), "day": day.isoformat()}
        if field is None:
            raise ValidationError(message, code="dst_gap")
        raise ValidationError({field: [message]}, code="dst_gap")
    return value


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
