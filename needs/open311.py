"""Open311 GeoReport v2 over our problems, for civic issue systems, in XML (the default) and JSON.

service_request_id is the problem's public code; status is "open" until the problem is settled
(resolved, cannot be resolved, duplicate), then "closed". Only public texts ever leave here.
Every answer, errors included, is a GeoReport document in the format the path asks for
(``.xml`` or ``.json``); ``jurisdiction_id``, when given, must be ours; request lists are paged.
"""

import json
import logging
import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path, register_converter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.errors import register_error_renderer
from core.query import InvalidInput, query_datetime, query_int
from core.ratelimit import public_rate_limited

from . import publication, services
from .models import Open311Key, Problem, ProblemCategory, ProblemEvent, Referral

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 90
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
MAX_PAGE = 10_000  # pages beyond this are deeper than any list a partner system reads
FORMATS = {"xml": "text/xml", "json": "application/json"}
# XML element names of the items of each list (GeoReport v2's documents).
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
}


class GeoReportError(Exception):
    def __init__(self, code: int, *descriptions: str) -> None:
        super().__init__(code, *descriptions)
        self.code, self.descriptions = code, descriptions


class Document:
    """What a view answers: data and the name of the XML root element."""

    def __init__(self, root: str, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.root, self.data, self.status, self.headers = root, data, status, headers or {}


def jurisdiction_id() -> str:
    return str(settings.OPEN311_JURISDICTION_ID)


def iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _xml_value(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _xml_value(ET.SubElement(element, ITEMS.get(element.tag, "item")), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(document: Document, fmt: str) -> HttpResponse:
    if fmt == "json":
        response: HttpResponse = JsonResponse(
            document.data, status=document.status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    else:
        root = ET.Element(document.root)
        _xml_value(root, document.data)
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        response = HttpResponse(body, status=document.status, content_type="text/xml; charset=utf-8")
    for name, value in document.headers.items():
        response[name] = value
    return response


def errors(code: int, *descriptions: str) -> Document:
    return Document("errors", [{"code": code, "description": d} for d in descriptions], status=code)


def _format_of(request: HttpRequest) -> str:
    match = request.resolver_match
    fmt = match.kwargs.get("fmt") if match else None
    if fmt in FORMATS:
        return str(fmt)
    return "json" if request.path.endswith(".json") else "xml"


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(errors(429, _("Too many requests from your address. Try again in a minute.")), _format_of(request))


def georeport(view: Callable[..., Document]) -> Callable[..., HttpResponse]:
    """One path for every answer: the requested format, jurisdiction checked, errors as documents."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            given = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
            if given and given != jurisdiction_id():
                raise GeoReportError(400, _("There is no such jurisdiction_id."))
            document = view(request, *args, **kwargs)
        except GeoReportError as error:
            document = errors(error.code, *error.descriptions)
        except Exception:
            logger.exception("Open311 %s failed", request.path)
            document = errors(500, _("Something went wrong on our side. Try again later."))
        return render(document, fmt)

    return csrf_exempt(public_rate_limited(_too_many)(wrapped))


@georeport
def discovery(request: HttpRequest) -> Document:
    changeset = "2026-12-04T00:00:00+01:00"
    return Document(
        "discovery",
        {
            "changeset": changeset,
            "contact": _("Contact the coordinator of Mobilny Asystent."),
            "key_service": _("API keys are issued by the coordinator in the administration."),
            "jurisdiction_id": jurisdiction_id(),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": settings.SITE_URL + "/open311/v2",
                    "changeset": changeset,
                    "type": "production",
                    "jurisdiction_id": jurisdiction_id(),
                    "formats": list(FORMATS.values()),
                }
            ],
        },
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


@georeport
def service_list(request: HttpRequest) -> Document:
    return Document("services", [_service(c) for c in ProblemCategory.objects.filter(active=True)])


@georeport
def service_definition(request: HttpRequest, service_code: str) -> Document:
    if not ProblemCategory.objects.filter(code=service_code, active=True).exists():
        raise GeoReportError(404, _("There is no such service_code."))
    return Document("service_definition", {"service_code": service_code, "attributes": []})


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


def _page(request: HttpRequest) -> tuple[int, int]:
    """``page`` (from 1) and ``page_size`` (at most MAX_PAGE_SIZE); a GeoReportError for anything else."""
    try:
        page = query_int(request.GET, "page", 1, minimum=1, maximum=MAX_PAGE)
        size = query_int(request.GET, "page_size", DEFAULT_PAGE_SIZE, minimum=1)
    except InvalidInput:
        raise GeoReportError(400, _("page and page_size must be whole numbers from 1.")) from None
    return int(page or 1), min(int(size or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)


def _paged(request: HttpRequest, qs: QuerySet[Problem]) -> Document:
    page, size = _page(request)
    start = (page - 1) * size
    rows = list(qs[start : start + size + 1])
    headers = {}
    if len(rows) > size:
        query = {**request.GET.dict(), "page": str(page + 1), "page_size": str(size)}
        headers["Link"] = f'<{request.build_absolute_uri(request.path)}?{urlencode(query)}>; rel="next"'
    return Document("service_requests", [_request(p) for p in rows[:size]], headers=headers)


def request_list(request: HttpRequest) -> Document:
    qs = _requests_qs()
    ids = request.GET.get("service_request_id")
    if ids:
        codes = [services.normalize_code(c) for c in ids.split(",") if c.strip()]
        return _paged(request, qs.filter(code__in=codes).order_by("-reported_at", "-pk"))
    try:
        start, end = query_datetime(request.GET, "start_date"), query_datetime(request.GET, "end_date")
    except InvalidInput as error:
        raise GeoReportError(400, f"{error.field}: {error.message}") from None
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
        raise GeoReportError(400, _("status must be open or closed."))
    if wanted == {"open"}:
        qs = qs.open()  # type: ignore[attr-defined]
    elif wanted == {"closed"}:
        qs = qs.settled()  # type: ignore[attr-defined]
    return _paged(request, qs.order_by("-reported_at", "-pk"))


@georeport
def request_detail(request: HttpRequest, code: str) -> Document:
    problem = _requests_qs().filter(code=services.normalize_code(code)).first()
    if problem is None:
        raise GeoReportError(404, _("There is no such service_request_id."))
    return Document("service_requests", [_request(problem)])


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


@georeport
def requests_endpoint(request: HttpRequest) -> Document:
    if request.method in ("GET", "HEAD"):
        return request_list(request)
    if request.method != "POST":
        raise GeoReportError(405, _("Use GET or POST."))
    data = _post_data(request)
    if data.get("jurisdiction_id") and str(data["jurisdiction_id"]) != jurisdiction_id():
        raise GeoReportError(400, _("There is no such jurisdiction_id."))
    key = Open311Key.objects.authenticate(data.get("api_key"))
    if key is None:
        raise GeoReportError(403, _("A valid api_key is required."))
    service_code = str(data.get("service_code", "")).strip()
    if not service_code:
        raise GeoReportError(400, _("service_code is required."))
    category = ProblemCategory.objects.filter(code=service_code, active=True).first()
    if category is None:
        raise GeoReportError(404, _("There is no such service_code."))
    description = str(data.get("description", "")).strip()
    if not description:
        raise GeoReportError(400, _("description is required."))
    try:
        lat = _coordinate(data.get("lat"), limit=90)
        lon = _coordinate(data.get("long"), limit=180)
    except ValueError as error:
        raise GeoReportError(400, _("lat must be a number from -90 to 90 and long from -180 to 180.")) from error
    address = str(data.get("address_string", "")).strip()[:200]
    if (lat is None or lon is None) and not address:  # we cannot resolve address_id
        raise GeoReportError(400, _("A location is required: lat and long, or address_string."))
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
        raise GeoReportError(400, *error.messages) from error
    return Document(
        "service_requests",
        [
            {
                "service_request_id": problem.code,
                "service_notice": _("Thank you. Keep the code to follow the report."),
                "account_id": None,
            }
        ],
        status=201,
    )


@georeport
def not_found(request: HttpRequest, rest: str = "") -> Document:
    raise GeoReportError(404, _("There is no such Open311 endpoint."))


@csrf_exempt
def _not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return not_found(request, rest, fmt="json" if request.path.endswith(".json") else "xml")


class FormatConverter:
    regex = "xml|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")
# Refusals raised before any view (control characters, oversized values) answer as GeoReport documents too.
register_error_renderer(
    "/open311/", lambda request, status, message: render(errors(status, message), _format_of(request))
)

urlpatterns = [
    path("discovery.<fmt:fmt>", discovery, name="open311-discovery"),
    path("services.<fmt:fmt>", service_list, name="open311-services"),
    path("services/<slug:service_code>.<fmt:fmt>", service_definition, name="open311-service"),
    path("requests.<fmt:fmt>", requests_endpoint, name="open311-requests"),
    path("requests/<str:code>.<fmt:fmt>", request_detail, name="open311-request"),
    re_path(r"^(?P<rest>.*)$", _not_found),
]
