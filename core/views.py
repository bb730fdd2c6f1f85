from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .roles import home_url_name


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own home page."""
    url_name = home_url_name(request.user)
    if url_name is None:
        return redirect("no_role")
    return redirect(url_name)


@login_required
def no_role(request: HttpRequest) -> HttpResponse:
    if home_url_name(request.user) is not None:
        return redirect("home")
    return render(request, "core/no_role.html", status=403)


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web-app manifest, so the app can be added to a phone's home screen."""
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ]
    icons.append(
        {"src": static("icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"}
    )
    data = {
        "name": _("Mobilny Asystent"),
        "short_name": _("Asystent"),
        "description": _("Duty shifts, anonymous notes and the Residents' Club."),
        "lang": request.LANGUAGE_CODE,
        "id": reverse("home"),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#6f3b16",
        "icons": icons,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True, "debug": settings.DEBUG})


@require_GET
@cache_control(max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without our <head> (the admin, the API docs)."""
    return redirect(static("icons/favicon-32.png"))


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement that Polish law requires of a public service's website."""
    return render(
        request,
        "core/accessibility.html",
        {
            "published_on": settings.ACCESSIBILITY_STATEMENT_DATE,
            "contact": settings.ACCESSIBILITY_CONTACT,
        },
    )
