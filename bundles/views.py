"""Pages: /uslugi/ for residents (public text only), bundles, the Canvas and the diagnosis for staff."""

from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.decorators import role_required
from core.qr import qr_svg
from core.roles import ASSISTANT, COORDINATOR
from core.smallnumbers import min_cell
from core.types import AuthedRequest
from duty.selectors import is_coordinator
from needs.models import Need

from . import selectors
from .models import Bundle, Service

field_workers = role_required(ASSISTANT, COORDINATOR)
coordinators = role_required(COORDINATOR)


def _public_need(code: str) -> tuple[Need, list[Service]]:
    """A need and its public services on offer; 404 when it has none (nothing to show residents)."""
    need = get_object_or_404(Need.objects.filter(active=True), code=code)
    services = list(selectors.services_for_needs([need.code], public_only=True))
    if not services:
        raise Http404
    return need, services


def public_index(request: HttpRequest) -> HttpResponse:
    """/uslugi/: what can help, by need, for residents. No login; public services of active partners."""
    return render(request, "bundles/public_index.html", {"needs": selectors.public_needs()})


def public_need(request: HttpRequest, code: str) -> HttpResponse:
    need, services = _public_need(code)
    return render(request, "bundles/public_need.html", {"need": need, "services": services})


@field_workers
def card(request: AuthedRequest, code: str) -> HttpResponse:
    """A printable A6 card for one need: a QR code to its public page and the first few services."""
    need, services = _public_need(code)
    url = settings.SITE_URL + reverse("bundles:public_need", args=[need.code])
    return render(request, "bundles/card.html", {"need": need, "url": url, "qr": qr_svg(url), "services": services[:4]})


@field_workers
def bundle_list(request: AuthedRequest) -> HttpResponse:
    bundles = Bundle.objects.active().with_counts().prefetch_related("needs").order_by("name")
    return render(
        request,
        "bundles/bundle_list.html",
        {
            "bundles": bundles,
            "public_needs": selectors.public_needs(),
            "is_coordinator": is_coordinator(request.user),
        },
    )


@field_workers
def bundle_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A bundle with its services and its Business Model Canvas, printable on one A4 page."""
    services = Service.objects.select_related("partner", "type").order_by("partner__name", "name")
    bundle = get_object_or_404(
        Bundle.objects.with_counts().prefetch_related("needs", Prefetch("services", queryset=services)),
        pk=pk,
    )
    partners: dict[int, Any] = {}
    for s in bundle.services.all():
        partners.setdefault(s.partner_id, s.partner)
    told = selectors.told_totals([s.pk for s in bundle.services.all()])
    rows = [(s, told[s.pk]) for s in bundle.services.all()]
    return render(
        request,
        "bundles/bundle_detail.html",
        {
            "bundle": bundle,
            "completeness": bundle.completeness(),
            "partners": list(partners.values()),
            "services": rows,
            "days": selectors.DEMAND_DAYS,
            "min_cell": min_cell(),
        },
    )


@coordinators
def diagnosis(request: AuthedRequest) -> HttpResponse:
    """Demand (needs heard on the bike) next to supply (bundle completeness), for the OWES animator."""
    return render(
        request,
        "bundles/diagnosis.html",
        {"rows": selectors.diagnosis(), "days": selectors.DEMAND_DAYS, "min_cell": min_cell()},
    )
