from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.permissions import IsClubStaff, IsStaff
from core.query import query_date

from . import services
from .models import Session
from .serializers import AttendanceSerializer, MoveSerializer, SessionSerializer


class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Club sessions for staff; attendance is counts by group, never names."""

    serializer_class = SessionSerializer
    permission_classes = [IsStaff]

    def get_queryset(self) -> Any:
        qs = Session.objects.select_related("activity", "room").order_by("starts_at")
        since = query_date(self.request.query_params, "od")
        if since:
            qs = qs.filter(starts_at__date__gte=since)
        return qs

    @extend_schema(request=AttendanceSerializer, responses={200: SessionSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsClubStaff])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            session = services.session_record_attendance(session=session, by=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(SessionSerializer(session).data)

    @extend_schema(request=MoveSerializer, responses={200: SessionSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsClubStaff])
    def move(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            session = services.session_move(
                session=session,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                room=data.get("room"),
                by=request.user,  # type: ignore[arg-type]
                correction_reason=data.get("correction_reason", ""),
            )
        except DjangoValidationError as error:
            raise ValidationError({"detail": error.messages}) from error
        return Response(SessionSerializer(session).data)


router = SimpleRouter()
router.register("club/sessions", SessionViewSet, basename="club-session")
urlpatterns = router.urls
