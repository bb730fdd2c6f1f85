"""Open311 GeoReport v2 (JSON) over our problems, for civic issue systems.

service_request_id is the problem's public code; status is "open" until the problem is settled
(resolved, cannot be resolved, duplicate), then "closed". Only public texts ever leave here.
"""

import json
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.ratelimit import public_rate_limited

from . import publication, services
from .models import Open311Key, Problem, ProblemCategory, ProblemEvent, Referral

MAX_RESULTS = 1000
DEFAULT_DAYS = 90


def _too_many(request: HttpRequest) -> JsonResponse:
    return errors(429, _("Too many requests from your address. Try again in a minute."))


def iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def errors(code: int, *descriptions: str) -> JsonResponse:
    return JsonResponse([{"code": code, "description": d} for d in descriptions], status=code, safe=False)


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


@public_rate_limited(_too_many)
def discovery(request: HttpRequest) -> JsonResponse:
    changeset = "2026-11-01T00:00:00+01:00"
    return _json(
        {
            "changeset": changeset,
            "contact": _("Contact the coordinator of Mobilny Asystent."),
            "key_service": _("API keys are issued by the coordinator in the administration."),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": settings.SITE_URL + "/open311/v2",
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


def _service(category: ProblemCategory) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


@public_rate_limited(_too_many)
def service_list(request: HttpRequest) -> JsonResponse:
    return _json([_service(c) for c in ProblemCategory.objects.filter(active=True)])


@public_rate_limited(_too_many)
def service_definition(request: HttpRequest, service_code: str) -> JsonResponse:
    if not ProblemCategory.objects.filter(code=service_code, active=True).exists():
        return errors(404, _("There is no such service_code."))
    return _json({"service_code": service_code, "attributes": []})


def _requests_qs() -> QuerySet[Problem]:
    public = ProblemEvent.objects.exclude(public_text="").order_by("-at", "-pk")
    return (
        publication.publishable(Problem.objects.all())
        .select_related("category", "place")
        .prefetch_related(
            Prefetch("events", queryset=public, to_attr="public_events"),
            Prefetch("referrals", queryset=Referral.objects.select_related("institution").order_by("due_on")),
        )
    )


def _request(problem: Problem) -> dict[str, Any]:
    referrals = list(problem.referrals.all())
    latest = problem.public_events[0] if problem.public_events else None  # type: ignore[attr-defined]
    open_due = [r.due_on for r in referrals if r.is_awaiting]
    expected = min(open_due) if open_due and not problem.is_settled else None
    lat, lon = publication.public_coordinates(problem)
    address = publication.public_address(problem)
    return {
        "service_request_id": problem.code,
        "status": "closed" if problem.is_settled else "open",
        "status_notes": latest.public_text if latest else None,
        "service_name": problem.category.name,
        "service_code": problem.category.code,
        "description": publication.public_description(problem),
        "agency_responsible": ", ".join(dict.fromkeys(r.institution.name for r in referrals)) or None,
        "service_notice": None,
        "requested_datetime": iso(problem.reported_at),
        "updated_datetime": iso(problem.updated_at),
        "expected_datetime": iso(datetime.combine(expected, time.min, tzinfo=timezone.get_current_timezone()))
        if isinstance(expected, date)
        else None,
        "address": address or None,
        "address_id": None,
        "zipcode": None,
        "lat": float(lat) if lat is not None else None,
        "long": float(lon) if lon is not None else None,
        "media_url": None,
    }


def _parse_when(raw: str | None) -> datetime | None | bool:
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+"))
    if value is None:
        return False
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@public_rate_limited(_too_many)
def request_list(request: HttpRequest) -> JsonResponse:
    qs = _requests_qs()
    ids = request.GET.get("service_request_id")
    if ids:
        codes = [services.normalize_code(c) for c in ids.split(",") if c.strip()]
        return _json([_request(p) for p in qs.filter(code__in=codes)[:MAX_RESULTS]])
    start, end = _parse_when(request.GET.get("start_date")), _parse_when(request.GET.get("end_date"))
    if start is False or end is False:
        return errors(400, _("start_date and end_date must be ISO 8601 date-times."))
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start:
        qs = qs.filter(reported_at__gte=start)
    if end:
        qs = qs.filter(reported_at__lte=end)
    if request.GET.get("service_code"):
        qs = qs.filter(category__code__in=request.GET["service_code"].split(","))
    # GeoReport v2: status may be given comma delimited ("open,closed" means both).
    wanted = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
    if wanted - {"open", "closed"}:
        return errors(400, _("status must be open or closed."))
    if wanted == {"open"}:
        qs = qs.open()  # type: ignore[attr-defined]
    elif wanted == {"closed"}:
        qs = qs.settled()  # type: ignore[attr-defined]
    return _json([_request(p) for p in qs.order_by("-reported_at")[:MAX_RESULTS]])


@public_rate_limited(_too_many)
def request_detail(request: HttpRequest, code: str) -> JsonResponse:
    problem = _requests_qs().filter(code=services.normalize_code(code)).first()
    if problem is None:
        return errors(404, _("There is no such service_request_id."))
    return _json([_request(problem)])


def _post_data(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


def _coordinate(raw: Any, *, limit: int) -> Decimal | None:
    """A GeoReport lat/long (WGS84 degrees) as the Decimal our columns hold; ValueError if it is not one."""
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError) as error:
        raise ValueError(raw) from error
    if not math.isfinite(value) or abs(value) > limit:
        raise ValueError(raw)
    return Decimal(str(round(value, 6)))


@csrf_exempt
def requests_endpoint(request: HttpRequest) -> JsonResponse:
    if request.method == "GET":
        return request_list(request)
    if request.method != "POST":
        return errors(405, _("Use GET or POST."))
    data = _post_data(request)
    key = Open311Key.objects.authenticate(data.get("api_key"))
    if key is None:
        return errors(403, _("A valid api_key is required."))
    service_code = str(data.get("service_code", "")).strip()
    if not service_code:
        return errors(400, _("service_code is required."))
    category = ProblemCategory.objects.filter(code=service_code, active=True).first()
    if category is None:
        return errors(404, _("There is no such service_code."))
    description = str(data.get("description", "")).strip()
    if not description:
        return errors(400, _("description is required."))
    try:
        lat = _coordinate(data.get("lat"), limit=90)
        lon = _coordinate(data.get("long"), limit=180)
    except ValueError:
        return errors(400, _("lat must be a number from -90 to 90 and long from -180 to 180."))
    address = str(data.get("address_string", "")).strip()[:200]
    if (lat is None or lon is None) and not address:  # we cannot resolve address_id
        return errors(400, _("A location is required: lat and long, or address_string."))
    try:
        problem, _created = services.problem_report(
            category=category,
            description=description,
            by=None,
            location=address,
            lat=lat if lon is not None else None,
            lon=lon if lat is not None else None,
            source=Problem.Source.OPEN311,
        )
    except ValidationError as error:
        return errors(400, *error.messages)
    return _json(
        [
            {
                "service_request_id": problem.code,
                "service_notice": _("Thank you. Keep the code to follow the report."),
                "account_id": None,
            }
        ],
        status=201,
    )


urlpatterns = [
    path("discovery.json", discovery, name="open311-discovery"),
    path("services.json", service_list, name="open311-services"),
    path("services/<slug:service_code>.json", service_definition, name="open311-service"),
    path("requests.json", requests_endpoint, name="open311-requests"),
    path("requests/<str:code>.json", request_detail, name="open311-request"),
]
