"""The version of the data the coordinator's figures are counted from, and a cache keyed by it.

Every save or delete of a conversation note (and its needs), a shift (and a counter tap on it), a
problem, a problem's event or a Club session bumps the version, so a figure cached under an older
version is never read again. The version is a timestamp, so a version lost from the cache never
comes back with old figures under it. Changes made with plain SQL (the bench fill, a data fix)
need ``forget()``.
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .periods import Period

VERSION_KEY = "insight:data:version"
TTL = 24 * 3600
T = TypeVar("T")
log = logging.getLogger(__name__)


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    return int(version) if version is not None else _bump()


def _bump() -> int:
    version = time.time_ns()
    cache.set(VERSION_KEY, version, None)
    return version


def _bump_quietly() -> None:
    # A write never fails because the cache is down; figures cached before it then live at most TTL.
    try:
        _bump()
    except Exception:  # the cache is an optimisation only
        log.warning("Insight cache unreachable; data version not bumped")


def data_changed(**_kwargs: Any) -> None:
    """A receiver for saves and deletes: bump now, and again when the change is committed.

    The second bump keeps figures counted by a request that read the data just before the commit
    from being served under the new version.
    """
    _bump_quietly()
    transaction.on_commit(_bump_quietly)


def forget() -> None:
    """Start from a new version (tests, and after data was changed with plain SQL)."""
    cache.delete(VERSION_KEY)


def cached(name: str, period: Period, build: Callable[[], T]) -> T:
    """``build()``'s result for the period and the current data version, counted once.

    With the cache unreachable the figures are counted every time rather than not shown.
    """
    try:
        key = f"insight:{name}:{period.first}:{period.last}:{data_version()}"
        hit = cache.get(key)
    except Exception:  # the cache is an optimisation only
        log.warning("Insight cache unreachable; counting %s directly", name)
        return build()
    if hit is not None:
        return hit
    value = build()
    try:
        cache.set(key, value, TTL)
    except Exception:
        log.warning("Insight cache unreachable; %s not kept", name)
    return value


def connect() -> None:
    from club.models import Session
    from duty.models import ConversationNote, CounterTap, Shift
    from needs.models import Problem, ProblemEvent

    for model in (ConversationNote, Shift, CounterTap, Problem, ProblemEvent, Session):
        post_save.connect(data_changed, sender=model, dispatch_uid=f"insight-data-save-{model.__name__}")
        post_delete.connect(data_changed, sender=model, dispatch_uid=f"insight-data-delete-{model.__name__}")
    m2m_changed.connect(data_changed, sender=ConversationNote.needs.through, dispatch_uid="insight-data-note-needs")
