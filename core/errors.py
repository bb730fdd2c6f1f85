"""One path for errors. Pages get Polish, phone-sized error pages on the light public base; the
JSON API gets ``{"detail": ...}`` or ``{field: [messages]}``; a module with its own error
documents (Open311) registers a renderer for its URL prefix. No stack trace, setting or SQL
ever reaches the response: details go to the log only.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

ErrorRenderer = Callable[[HttpRequest, int, str], HttpResponse]
_renderers: dict[str, ErrorRenderer] = {}
API_PREFIX = "/api/"


def register_error_renderer(prefix: str, renderer: ErrorRenderer) -> None:
    """URLs under ``prefix`` answer errors with ``renderer(request, status, message)``."""
    _renderers[prefix] = renderer


def messages_of(error: BaseException | None) -> dict[str, list[str]]:
    """Field messages of a refused value, ``{}`` when the error names none."""
    if error is None:
        return {}
    if isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            return {k: [m for e in v for m in e.messages] for k, v in error.error_dict.items()}
        return {"detail": list(error.messages)}
    found = getattr(error, "message_dict", None)
    return dict(found) if isinstance(found, dict) else {}


def _flat(messages: dict[str, list[str]]) -> str:
    return " ".join(m for values in messages.values() for m in values)


def _respond(request: HttpRequest, status: int, title: str, text: str, fields: dict[str, list[str]]) -> HttpResponse:
    path = request.path
    for prefix, renderer in _renderers.items():
        if path.startswith(prefix):
            return renderer(request, status, _flat(fields) or text)
    if path.startswith(API_PREFIX):
        body: dict[str, Any] = dict(fields) if fields else {"detail": text}
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if not hasattr(request, "user"):  # refused before the user was looked up
        request.user = AnonymousUser()
    template = loader.get_template(f"{status}.html")
    context = {"title": title, "text": text, "fields": [m for values in fields.values() for m in values]}
    return HttpResponse(template.render(context, request), status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _respond(
        request, 400, _("The request was not understood"), _("Check what you typed or go back."), messages_of(exception)
    )


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _respond(
        request, 403, _("You do not have access to this page"), _("If you think you should, ask the coordinator."), {}
    )


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _respond(
        request, 404, _("We could not find this page"), _("Check the address or go back to the start page."), {}
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: whatever broke must not break the error page."""
    text = _("Sorry, something went wrong on our side. Try again in a moment. Nothing you saved was lost.")
    for prefix, renderer in _renderers.items():
        if request.path.startswith(prefix):
            return renderer(request, 500, text)
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": text}, status=500, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(loader.get_template("500.html").render({"text": text}), status=500)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF: a refused value is a 400 with field messages, whichever layer refused it."""
    if isinstance(exc, DjangoValidationError | BadRequest) and not isinstance(exc, exceptions.APIException):
        fields = messages_of(exc) or {"detail": [str(exc) or _("The request was not understood.")]}
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return exception_handler(exc, context)
