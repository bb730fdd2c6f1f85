"""The public schedule's version number: every change to an activity, a session or a room bumps it.

The iCal feed is built once per version and day (the feed's window moves with the date) and then
served from the cache; its ETag is the version, so an unchanged feed answers 304 without being
built or read. The version is a timestamp, so a version lost from the cache never comes back
with an old feed under it.
"""

import time
from typing import Any

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "club:schedule:version"


def schedule_version() -> int:
    version = cache.get(VERSION_KEY)
    return int(version) if version is not None else _bump()


def _bump() -> int:
    version = time.time_ns()
    cache.set(VERSION_KEY, version, None)
    return version


def schedule_changed(**_kwargs: Any) -> None:
    """A receiver for saves and deletes: bump now, and again when the change is committed.

    The second bump keeps a feed built by a request that read the data just before the commit
    from being served as the new version.
    """
    _bump()
    transaction.on_commit(_bump)


def forget() -> None:
    """Start from a new version (tests, and after data was changed with plain SQL)."""
    cache.delete(VERSION_KEY)
