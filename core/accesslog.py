"""The append-only access log of exports and bulk reads of notes (core.models.AccessLogEntry)."""

from typing import Any

from django.http import HttpRequest

from .models import AccessLogEntry

_SEARCH_PARAMETERS = frozenset(["q", "search", "text"])


def describe_filter(params: Any) -> str:
    """The query parameters as ``key=value&…``, with any search term replaced by its length."""
    parts = []
    for key in sorted(params):
        for value in params.getlist(key) if hasattr(params, "getlist") else [params[key]]:
            if key in _SEARCH_PARAMETERS and value:
                value = f"<{len(value)} characters>"
            parts.append(f"{key}={value}")
    return "&".join(parts)[:2000]


def access_record(*, request: HttpRequest, kind: str, what: str, rows: int) -> AccessLogEntry:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return AccessLogEntry.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated and user is not None else "",
        kind=kind,
        what=what,
        filter=describe_filter(request.GET),
        rows=rows,
    )
