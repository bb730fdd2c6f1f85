"""Idempotent creation keyed by a client-generated UUID (see ``core.models.ClientWrite``)."""

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)


class IdempotencyConflict(Exception):
    """The same client id was sent before with different content."""

    def __init__(self, existing: models.Model) -> None:
        super().__init__(f"client id already used for {existing!r} with other content")
        self.existing = existing


def fingerprint(data: Mapping[str, Any]) -> str:
    """A stable hash of a request's meaningful content (order of keys and lists of ids ignored)."""

    def norm(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): norm(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            items = [norm(v) for v in value]
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
        if isinstance(value, models.Model):
            return value.pk
        return value

    raw = json.dumps(norm(data), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def create_once(
    *,
    model: type[M],
    client_uuid: uuid.UUID | str | None,
    data: Mapping[str, Any],
    create: Callable[[str], M],
) -> tuple[M, bool]:
    """Run ``create(fingerprint)`` once per ``client_uuid``; return ``(obj, created)``.

    Without a client id (the admin, an import, a script) there is no replay to recognise: it
    simply creates.

    The unique constraint decides, not a look-up before the insert: a concurrent twin blocks on
    the index until the first commits, then fails here and returns the first one's row.
    ``create`` must store the fingerprint it is given in ``client_fingerprint``.
    Raises ``IdempotencyConflict`` when the id was used with other content.
    """
    fp = fingerprint(data)
    if client_uuid is None:
        return create(fp), True
    existing = model._default_manager.filter(client_uuid=client_uuid).first()
    if existing is None:
        try:
            with transaction.atomic():
                return create(fp), True
        except IntegrityError:
            existing = model._default_manager.filter(client_uuid=client_uuid).first()
            if existing is None:
                raise
    if existing.client_fingerprint != fp:  # type: ignore[attr-defined]
        raise IdempotencyConflict(existing)
    return existing, False


def insert_unless_exists(obj: models.Model) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id`` for one new row, in one round trip.

    True (and ``obj.pk`` set) when the row was written; False when a row with the same unique key
    (e.g. the client id) already exists, in which case nothing was written and the caller looks
    the existing row up. No savepoint is needed, unlike catching an IntegrityError, and no signal
    is sent: the caller sends ``post_save`` once the row is complete.
    """
    from django.db import connections, router
    from django.db.models.constants import OnConflict
    from django.db.models.sql import InsertQuery

    model = type(obj)
    opts = model._meta
    using = router.db_for_write(model, instance=obj)
    fields = [f for f in opts.local_concrete_fields if f is not opts.auto_field and not f.generated]
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [opts.pk]
    [(sql, params)] = compiler.as_sql()
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = using
    return True
