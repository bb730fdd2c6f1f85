"""Sign-in lockout: per user name and address (django-axes), and per user name across addresses.

django-axes locks a user name at one address after AXES_FAILURE_LIMIT failures. Someone guessing
from many addresses never reaches that, so the user name is also locked once its failures from all
addresses reach AXES_USERNAME_FAILURE_LIMIT (higher, so one colleague's typos elsewhere do not lock
the account) within the same cool-off time.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


class LockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        if not username or not getattr(settings, "AXES_LOCK_OUT_AT_FAILURE", True):
            return False
        attempts = AccessAttempt.objects.filter(username=username)
        cool_off = get_cool_off(request)
        if cool_off is not None:
            attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
        failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        return bool(failures >= settings.AXES_USERNAME_FAILURE_LIMIT)
