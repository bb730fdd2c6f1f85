from typing import Any

from celery import shared_task

from .services import texts_expire


@shared_task(name="duty.expire_texts")
def expire_texts() -> dict[str, Any]:
    """Nightly: old note texts and settled problems' internal texts become a marker (idempotent)."""
    return texts_expire()
