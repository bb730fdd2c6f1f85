"""The bundles JSON API (under /api/v1/): services by need, bundles by need, "told about it"."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.idempotency import IdempotencyConflict
from core.permissions import IsFieldWorker
from duty.selectors import shifts_visible_to

from . import selectors, services
from .models import Service
from .serializers import NeedBundleSerializer, ServiceSerializer, ServiceToldSerializer

ToldCounts = inline_serializer(
    "ServiceToldCounts",
    {
        "service": serializers.IntegerField(),
        "shift": serializers.IntegerField(),
        "told": serializers.IntegerField(),
        "handoff": serializers.IntegerField(),
    },
)


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Services on offer today; ``?need=<code>`` (repeatable) keeps those answering the need."""

    serializer_class = ServiceSerializer
    permission_classes = [IsFieldWorker]
    pagination_class = None

    def get_queryset(self) -> Any:
        codes = [c for c in self.request.query_params.getlist("need") if c]
        if codes:
            return selectors.services_for_needs(codes)
        return Service.objects.active().select_related("partner", "type").order_by("type__order", "name", "pk")

    @extend_schema(parameters=[OpenApiParameter("need", str, many=True, description="need code")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ServiceToldSerializer, responses={201: ToldCounts, 200: ToldCounts, 409: None})
    @action(detail=True, methods=["post"])
    def told(self, request: Request, pk: str | None = None) -> Response:
        """Count once per ``client_uuid`` that a resident heard of this service on a shift."""
        service = get_object_or_404(Service.objects.active(), pk=pk)
        serializer = ServiceToldSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        shift = shifts_visible_to(request.user).filter(pk=data["shift"]).first()  # type: ignore[arg-type]
        if shift is None:
            raise ValidationError({"shift": [_("There is no such shift of yours.")]})
        try:
            _row, created = services.service_told_record(
                service=service, shift=shift, kind=data["kind"], client_uuid=data["client_uuid"]
            )
        except IdempotencyConflict:
            return Response(
                {"detail": _("This was already sent with different content.")}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        counts = selectors.told_counts(shift).get(service.pk, {"told": 0, "handoff": 0})
        return Response(
            {"service": service.pk, "shift": shift.pk, **counts},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class BundleViewSet(viewsets.GenericViewSet):
    """One row per active need: its bundles' services, partners and types, and whether complete."""

    serializer_class = NeedBundleSerializer
    permission_classes = [IsFieldWorker]
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.needs_with_counts()

    def list(self, request: Request) -> Response:
        rows = []
        for need in self.get_queryset():
            c = selectors.completeness_of(need)
            need.complete, need.why_not = c.complete, c.why_not
            rows.append(need)
        return Response(self.get_serializer(rows, many=True).data)


router = SimpleRouter()
router.register("services", ServiceViewSet, basename="service")
router.register("bundles", BundleViewSet, basename="bundle")
urlpatterns = router.urls
