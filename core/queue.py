"""Enqueue Celery tasks after the transaction commits, without ever failing the request."""

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` once the current transaction commits.

    The row is already saved when this runs, so a broker that is down must not turn the
    request into a 500: the error is logged and the periodic sweep, which reads due work from
    the database, delivers it later.
    """

    def send() -> None:
        try:
            task.delay(*args, **kwargs)
        except Exception:  # broker down or unreachable: the sweep catches up
            logger.warning("Could not enqueue %s%r; the next sweep will do it", task.name, args, exc_info=True)

    transaction.on_commit(send, robust=True)
