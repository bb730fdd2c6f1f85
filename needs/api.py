"""The internal problems API (under /api/v1/). POST is idempotent by client_uuid, like notes."""

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.idempotency import IdempotencyConflict
from core.permissions import IsFieldWorker

from . import selectors, services
from .models import Problem
from .serializers import ProblemCreateSerializer, ProblemSerializer


class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProblemSerializer
    permission_classes = [IsFieldWorker]
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return selectors.problems_visible_to(self.request.user).order_by("-reported_at")  # type: ignore[arg-type]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "with_timeline": self.action == "retrieve"}

    @extend_schema(
        request=ProblemCreateSerializer, responses={201: ProblemSerializer, 200: ProblemSerializer, 409: None}
    )
    def create(self, request: Request) -> Response:
        serializer = ProblemCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        place = note = None
        if data.get("note"):
            note_model = apps.get_model("duty", "ConversationNote")
            note = note_model.objects.visible_to(request.user).select_related("place").filter(pk=data["note"]).first()
            if note is None:
                raise ValidationError({"note": [_("There is no such note of yours.")]})
        if data.get("place"):
            place = apps.get_model("duty", "Place").objects.filter(pk=data["place"], active=True).first()
            if place is None:
                raise ValidationError({"place": [_("There is no such place.")]})
        try:
            problem, created = services.problem_report(
                category=data["category"],
                description=data["description"],
                by=request.user,  # type: ignore[arg-type]
                place=place,
                note=note,
                location=data["location"],
                lat=data.get("lat"),
                lon=data.get("lon"),
                source=Problem.Source.NOTE if note else Problem.Source.COORDINATOR,
                client_uuid=data["client_uuid"],
            )
        except IdempotencyConflict:
            return Response(
                {"detail": _("This was already sent with different content.")}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as error:
            raise ValidationError(getattr(error, "message_dict", {"description": error.messages})) from error
        body = dict(ProblemSerializer(problem).data)
        if getattr(serializer, "pii_warnings", None):
            body["pii_warnings"] = serializer.pii_warnings
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


router = SimpleRouter()
router.register("problems", ProblemViewSet, basename="problem")
urlpatterns = router.urls
