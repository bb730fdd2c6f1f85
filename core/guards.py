"""One gate for what no view can use: control characters and oversized values, on every path.

PostgreSQL refuses a NUL in any text, so a NUL that reaches a query is a 500; other control
characters are never typed by a person. Every value is checked once here, before any view:
the path, query-string keys and values, form fields, JSON strings (at any depth) and the
headers that reach the database (the API token). A refused request is a 400 through the
project's error path (``core.errors``).
"""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

# C0 controls except tab, line feed and carriage return; DEL; C1 controls; lone surrogates.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The longest text any field takes (notes are 2000, descriptions and summaries 4000): a value
# beyond this is refused before it costs a regular expression, a parser or a query anything.
MAX_VALUE_LENGTH = 10_000
# Query strings carry codes, dates and numbers, never texts.
MAX_QUERY_VALUE_LENGTH = 1_000
CHECKED_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_X_CSRFTOKEN", "HTTP_IF_NONE_MATCH")


class RefusedValue(BadRequest):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return {self.field: [self.message]}


def _strings(value: Any, name: str = "") -> Iterator[tuple[str, str]]:
    """Every (field, string) in a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield name or str(key), str(key)
            yield from _strings(item, name or str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, name)


def refuse_unusable(pairs: Iterator[tuple[str, str]], *, max_length: int) -> None:
    for field, value in pairs:
        if CONTROL.search(value):
            raise RefusedValue(field or "non_field_errors", _("Remove the control characters from this value."))
        if len(value) > max_length:
            raise RefusedValue(
                field or "non_field_errors",
                _("This value is too long (at most %(limit)s characters).") % {"limit": max_length},
            )


def _form_pairs(request: HttpRequest) -> Iterator[tuple[str, str]]:
    for key, values in request.POST.lists():
        yield key, key
        for value in values:
            yield key, value


def _json_pairs(request: HttpRequest) -> Iterator[tuple[str, str]]:
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return  # the API's parser answers malformed JSON with its own 400
    yield from _strings(data)


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.check(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A model or service refusal that a page did not catch is the user's 400, not our 500."""
        if isinstance(exception, ValidationError):
            from .errors import bad_request

            return bad_request(request, exception)
        return None

    @staticmethod
    def check(request: HttpRequest) -> None:
        refuse_unusable(iter([("path", request.path)]), max_length=2_000)
        refuse_unusable(
            ((k, v) for key, values in request.GET.lists() for k, v in [(key, key), *((key, x) for x in values)]),
            max_length=MAX_QUERY_VALUE_LENGTH,
        )
        refuse_unusable(
            ((name, request.META[name]) for name in CHECKED_HEADERS if name in request.META),
            max_length=MAX_QUERY_VALUE_LENGTH,
        )
        # The session is looked up by its cookie on first use (the error page's menu included).
        cookies = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
        refuse_unusable(((n, request.COOKIES[n]) for n in cookies if n in request.COOKIES), max_length=200)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if request.content_type == "multipart/form-data":
            try:
                size = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                size = 0
            if size > settings.MAX_UPLOAD_BYTES:
                raise RefusedValue(
                    "file",
                    _("The file is too large (at most %(limit)s MB).")
                    % {"limit": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
                )
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            refuse_unusable(_form_pairs(request), max_length=_max_length())
        elif (request.content_type or "").endswith("json"):
            refuse_unusable(_json_pairs(request), max_length=_max_length())


def _max_length() -> int:
    return int(getattr(settings, "MAX_TEXT_VALUE_LENGTH", MAX_VALUE_LENGTH))
