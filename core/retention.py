"""Free text about residents has a lifetime: after ``NOTE_TEXT_RETENTION_DAYS`` it becomes a marker.

Only the words go. Tags, stage, counts, dates and statuses stay, so every figure of the
coordinator's overview is the same before and after. Rows are rewritten in batches by primary key
with a plain UPDATE (no history row is written: history tables keep no copy of these texts), and
a row that already holds the marker or nothing is never touched again, so running the job twice,
or twice at once, has the effect of running it once.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

EXPIRED_TEXT = "[treść usunięta po okresie przechowywania]"


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Texts written (or problems settled) before this moment are past their lifetime."""
    days: int = settings.NOTE_TEXT_RETENTION_DAYS
    return (now or timezone.now()) - timedelta(days=days)


def still_holding(field: str) -> Q:
    """Rows whose ``field`` still holds words (not empty, not the marker)."""
    return ~Q(**{field: ""}) & ~Q(**{field: EXPIRED_TEXT})


def expire_field(queryset: QuerySet, field: str, *, batch_size: int = 500, dry_run: bool = False) -> int:
    """Replace ``field`` with the marker on every row of ``queryset`` that still holds words.

    Returns how many rows were (or, with ``dry_run``, would be) rewritten.
    """
    pending = queryset.filter(still_holding(field)).order_by("pk")
    if dry_run:
        return pending.count()
    done = 0
    while True:
        with transaction.atomic():
            batch = pending.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch_size]
            ids = list(batch)
            if not ids:
                return done
            done += (
                queryset.model._default_manager.filter(pk__in=ids)
                .filter(still_holding(field))
                .update(**{field: EXPIRED_TEXT})
            )


def expire_fields(
    queryset: QuerySet,
    fields: Iterable[str],
    *,
    batch_size: int = 500,
    dry_run: bool = False,
) -> dict[str, int]:
    return {field: expire_field(queryset, field, batch_size=batch_size, dry_run=dry_run) for field in fields}
