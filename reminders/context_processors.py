from typing import Any

from django.http import HttpRequest

from .selectors import notifications_unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The bell's unread count: one COUNT per request, no query for visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": notifications_unread_count(user=user)}
