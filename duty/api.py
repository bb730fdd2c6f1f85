"""The duty JSON API (under /api/v1/). Writes from phones are idempotent by ``client_uuid``:
201 for a new row, 200 with the same row for an identical replay, 409 for a conflicting one."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.accesslog import access_record
from core.idempotency import IdempotencyConflict
from core.models import AccessLogEntry
from core.permissions import IsCoordinator, IsFieldWorker
from core.query import query_id
from needs.models import Need

from . import selectors, services
from .models import ConversationNote, Place, Shift
from .serializers import (
    CounterTapSerializer,
    NeedSerializer,
    NoteSerializer,
    PlaceSerializer,
    ShiftEndSerializer,
    ShiftSerializer,
    ShiftStartSerializer,
)


def _drf_error(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError({k: [m for e in v for m in e.messages] for k, v in error.error_dict.items()})
    return ValidationError({"detail": error.messages})


def _conflict() -> Response:
    return Response({"detail": _("This was already sent with different content.")}, status=status.HTTP_409_CONFLICT)


def _with_warnings(data: Any, serializer: Any) -> Any:
    warnings = getattr(serializer, "pii_warnings", None)
    if warnings:
        data = {**data, "pii_warnings": warnings}
    return data


class NeedViewSet(viewsets.ReadOnlyModelViewSet):
    """The needs taxonomy; each need has a stable ``code``."""

    serializer_class = NeedSerializer
    queryset = Need.objects.filter(active=True)
    lookup_field = "code"
    pagination_class = None


class PlaceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = PlaceSerializer
    queryset = Place.objects.filter(active=True)

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            return [IsCoordinator()]
        return [IsAuthenticated()]


class ShiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ShiftSerializer
    permission_classes = [IsFieldWorker]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Shift.objects.none()
        return selectors.shifts_visible_to(self.request.user).order_by("-planned_start")  # type: ignore[arg-type]

    @extend_schema(request=ShiftSerializer, responses={201: ShiftSerializer, 200: ShiftSerializer})
    def create(self, request: Request) -> Response:
        serializer = ShiftSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if selectors.is_coordinator(request.user):
            assistants = data.get("assistants", [])  # a coordinator may plan a shift nobody has taken yet
        else:
            assistants = data.get("assistants") or [request.user]
            if {a.pk for a in assistants} != {request.user.pk}:
                raise PermissionDenied(_("Assistants may plan shifts only for themselves."))
        try:
            shift, created = services.shift_plan(
                place=data["place"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                assistants=assistants,
                by=request.user,  # type: ignore[arg-type]
                client_uuid=data.get("client_uuid"),
            )
        except IdempotencyConflict:
            return _conflict()
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ShiftSerializer(shift).data, status=code)

    @extend_schema(request=ShiftStartSerializer, responses={200: ShiftSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        shift = self.get_object()
        ShiftStartSerializer(data=request.data).is_valid(raise_exception=True)
        try:
            shift = services.shift_start(shift=shift, by=request.user)  # type: ignore[arg-type]
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        return Response(ShiftSerializer(shift).data)

    @extend_schema(request=ShiftEndSerializer, responses={200: ShiftSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        shift = self.get_object()
        serializer = ShiftEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            shift = services.shift_end(
                shift=shift, summary=data["summary"], weather=data["weather"], touchpoints=data.get("touchpoints")
            )
        except IdempotencyConflict:
            return _conflict()
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        return Response(_with_warnings(ShiftSerializer(shift).data, serializer))

    @extend_schema(request=CounterTapSerializer, responses={201: ShiftSerializer, 200: ShiftSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def counters(self, request: Request, pk: str | None = None) -> Response:
        shift = self.get_object()
        serializer = CounterTapSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            _tap, created = services.shift_tap_counter(
                shift=shift,
                counter=data["counter"],
                delta=data["delta"],
                client_uuid=data["client_uuid"],
                by=request.user,  # type: ignore[arg-type]
            )
        except IdempotencyConflict:
            return _conflict()
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        shift.refresh_from_db()
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class NoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NoteSerializer
    permission_classes = [IsFieldWorker]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ConversationNote.objects.none()
        qs = selectors.notes_visible_to(self.request.user).order_by("-created_at")  # type: ignore[arg-type]
        shift = query_id(self.request.query_params, "shift")
        if shift:
            qs = qs.filter(shift_id=shift)
        return qs

    @extend_schema(
        parameters=[OpenApiParameter("shift", int, description="Only notes of this shift")],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        data = response.data
        rows = len(data.get("results", [])) if isinstance(data, dict) else len(data or [])
        access_record(request=request, kind=AccessLogEntry.Kind.BULK_READ, what="duty.conversationnote", rows=rows)
        return response

    @extend_schema(request=NoteSerializer, responses={201: NoteSerializer, 200: NoteSerializer, 409: None})
    def create(self, request: Request) -> Response:
        serializer = NoteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            note, created = services.note_create(
                by=request.user,  # type: ignore[arg-type]
                shift=data["shift"],
                text=data.get("text", ""),
                stage=data.get("stage", ConversationNote.Stage.FIRST_CONTACT),
                needs=data.get("needs", []),
                touchpoint=data.get("touchpoint", ""),
                age_band=data.get("age_band", ConversationNote.AgeBand.UNKNOWN),
                wants_follow_up=data.get("wants_follow_up", False),
                client_uuid=data["client_uuid"],
            )
        except IdempotencyConflict:
            return _conflict()
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        if not created:  # a replay: the stored note as it is now
            note = self.get_queryset().get(pk=note.pk)
        body = _with_warnings(NoteSerializer(note, context={"request": request}).data, serializer)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


router = SimpleRouter()
router.register("needs", NeedViewSet, basename="need")
router.register("places", PlaceViewSet, basename="place")
router.register("shifts", ShiftViewSet, basename="shift")
router.register("notes", NoteViewSet, basename="note")
urlpatterns = router.urls
