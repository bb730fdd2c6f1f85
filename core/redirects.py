"""Redirects to an address the request chose (``next=``, a notification's link)."""

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_url(request: HttpRequest, target: str | None, fallback: str) -> str:
    """``target`` if it stays on this site (a path or our own host), else ``fallback``."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def redirect_back(request: HttpRequest, target: str | None, fallback: str) -> HttpResponseRedirect:
    """The one way to follow a ``next=``: never to another site (no open redirect)."""
    return redirect(safe_url(request, target, fallback))
