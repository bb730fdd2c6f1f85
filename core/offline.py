"""The service worker and the offline page, so the duty screen survives a dead zone."""

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# The app shell: what a phone needs to show the duty screen with no connection.
SHELL = (
    "css/ma.min.css",
    "js/ui.js",
    "django_htmx/htmx-2.min.js",
    "js/offline-queue.js",
    "js/sw-register.js",
    "duty/shift.js",
    "bundles/what_helps.js",  # "Co może pomóc?", loaded by shift.js when a need is ticked; data in the kept page
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/icon-maskable-512.png",
    "icons/favicon-32.png",
    "icons/apple-touch-icon.png",
)

# Pages kept for offline reloads. Only the duty screen: it is the one used outdoors, and the
# only copy of a user's data the phone keeps (logging out deletes it).
KEPT_PAGES = ("duty:home",)


def _shell_version() -> str:
    digest = hashlib.sha256()
    for name in SHELL:
        # The URL changes with the content when static files are hashed (production); the
        # content itself covers development, where URLs stay the same.
        digest.update(static(name).encode())
        path = finders.find(name)
        if isinstance(path, str):
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


_cached_shell_version = lru_cache(maxsize=1)(_shell_version)


def shell_version() -> str:
    """Changes whenever a shell file changes, so phones drop their old copies."""
    return _shell_version() if settings.DEBUG else _cached_shell_version()


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    config = {
        "version": shell_version(),
        "shell": [static(name) for name in SHELL],
        "offline": reverse("offline"),
        "pages": [reverse(name) for name in KEPT_PAGES],
    }
    # No request context: the script is the same for everybody and costs no database query.
    script = render_to_string(
        "core/sw.js",
        # json.dumps of URLs and hex digits: nothing in it can close the script.
        {"config": mark_safe(json.dumps(config).replace("<", "\\u003c"))},  # noqa: S308
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    # The script lives at /sw.js, so this only states the whole-app scope explicitly.
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(no_cache=True, max_age=0)
def offline(request: HttpRequest) -> HttpResponse:
    """The page shown for anything not kept on the phone; the same for everybody, so it is
    rendered as for a visitor and the service worker may keep it."""
    request.user = AnonymousUser()
    return render(request, "offline.html")
