import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _

from . import ratelimit


class PolishFirstLocaleMiddleware(LocaleMiddleware):
    """Polish unless the user picked another language with the switch (a cookie).

    The team works in Polish; a cheap phone whose system language happens to be English must
    not turn the duty screen or a printed card into English. The browser's Accept-Language is
    therefore not consulted.
    """

    def process_request(self, request: HttpRequest) -> None:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class PrivacyHeadersMiddleware:
    """Headers on every response, static files included (it runs before WhiteNoise answers).

    ``Permissions-Policy`` switches off what the app never uses (camera, microphone, geolocation
    only for our own pages…). Anything served to a signed-in user, the admin and the API may carry
    note or internal problem text: ``Cache-Control: private, no-store`` keeps it out of shared and
    browser caches.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if _carries_internal_text(request):
            response["Cache-Control"] = "private, no-store"
        return response


def _carries_internal_text(request: HttpRequest) -> bool:
    path = request.path_info
    if path.startswith(("/static/", "/sw.js", "/manifest.webmanifest", "/favicon.ico")):
        return False  # the app's shell and files: no residents' words, and they have caching of their own
    if path.startswith(("/api/", "/admin/")):
        return True
    # Whoever carries a session may be signed in; deciding by the cookie costs no query.
    return settings.SESSION_COOKIE_NAME in request.COOKIES


_LAST_SEEN = "_last_seen"


def stamp_session(request: HttpRequest) -> None:
    """Start the idle clock (at sign-in)."""
    request.session[_LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    """Sign out after SESSION_IDLE_TIMEOUT seconds without a request (on top of SESSION_COOKIE_AGE).

    The last-seen time is written at most every IDLE_RESOLUTION seconds, so ordinary requests do
    not write the session.
    """

    IDLE_RESOLUTION = 300

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user  # still lazy: pages that never ask who is there cost no query
        request.user = SimpleLazyObject(lambda: self._checked(request, signed_in))  # type: ignore[assignment]
        return self.get_response(request)

    def _checked(self, request: HttpRequest, lazy_user: Any) -> Any:
        user = lazy_user._wrapped if getattr(lazy_user, "_wrapped", empty) is not empty else lazy_user
        if not user.is_authenticated:
            return user
        now = int(time.time())
        last = request.session.get(_LAST_SEEN)
        if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
            request.user = user
            logout(request)  # sets request.user to an anonymous user
            return request.user
        if last is None or now - int(last) >= self.IDLE_RESOLUTION:
            request.session[_LAST_SEEN] = now
        return user


class WriteRateLimitMiddleware:
    """Per-user limit on note and problem writes (WRITE_RATE, e.g. 120 a minute): far above what a
    real shift does, low enough to stop a script or a stuck phone. Redis sliding window, shared by
    every web node; a stricter in-process limit when Redis is down (core.ratelimit)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        match = request.resolver_match
        if match is None or match.view_name not in settings.WRITE_RATE_LIMITED_VIEWS:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        limit, window = ratelimit.parse_rate(settings.WRITE_RATE)
        if ratelimit.allow(f"write:{user.pk}", limit=limit, window=window):
            return None
        message = _("Too many notes or problems saved in a short time. Wait a minute and try again.")
        if request.path_info.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=429)
        else:
            response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(window)
        return response
