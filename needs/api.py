"""The internal problems API (under /api/v1/). POST is idempotent by client_uuid, like notes."""

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.idempotency import IdempotencyConflict, create_once
from core.permissions import IsCoordinator, IsFieldWorker

from . import selectors, services
from .models import Problem, ProblemEvent
from .serializers import (
    AnswerSerializer,
    ForwardSerializer,
    ProblemCreateSerializer,
    ProblemSerializer,
    SimilarProblemSerializer,
    SimilarQuerySerializer,
    SupportSerializer,
    ToldSerializer,
)

CONFLICT = {409: None}


def _conflict() -> Response:
    return Response({"detail": _("This was already sent with different content.")}, status=status.HTTP_409_CONFLICT)


def _as_api_error(error: DjangoValidationError) -> ValidationError:
    return ValidationError(getattr(error, "message_dict", {"non_field_errors": error.messages}))


def _once(problem: Problem, data: dict[str, Any], write: Callable[[], object]) -> bool:
    """Run one timeline write once per client id; True when it was written now, False for a replay.

    The service writes the problem's next event; the client id is put on that event in the same
    transaction, so a concurrent twin fails on the unique id and the whole write is undone.
    """

    def create(fingerprint: str) -> ProblemEvent:
        write()
        event = ProblemEvent.objects.filter(problem=problem).order_by("-pk").first()
        assert event is not None  # noqa: S101 — every service called here records an event
        ProblemEvent.objects.filter(pk=event.pk).update(client_uuid=data["client_uuid"], client_fingerprint=fingerprint)
        return event

    _event, created = create_once(
        model=ProblemEvent, client_uuid=data["client_uuid"], data={**data, "problem": problem.pk}, create=create
    )
    return created


class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProblemSerializer
    permission_classes = [IsFieldWorker]
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return (
            selectors.problems_visible_to(self.request.user)  # type: ignore[arg-type]
            .select_related("duplicate_of")
            .order_by("-reported_at")
        )

    @extend_schema(parameters=[SimilarQuerySerializer], responses={200: SimilarProblemSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def similar(self, request: Request) -> Response:
        """Open problems a new report would duplicate ("Ktoś już to zgłosił"): same category, same place
        or within PROBLEM_SIMILAR_METRES of lat/lon."""
        query = SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        place = None
        if "place" in data:
            place = apps.get_model("duty", "Place").objects.filter(pk=data["place"]).first()
            if place is None:
                raise ValidationError({"place": [_("There is no such place.")]})
        found = selectors.problems_similar(
            category=data["category"],
            place=place,
            lat=data.get("lat"),
            lon=data.get("lon"),
            within=self.get_queryset(),
        )
        return Response(SimilarProblemSerializer(found, many=True).data)

    @extend_schema(request=SupportSerializer, responses={201: ProblemSerializer, 200: ProblemSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def support(self, request: Request, code: str | None = None) -> Response:
        """One more resident's voice on this problem; a replay of the same client_uuid counts once."""
        problem = self.get_object()
        body = SupportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = None
        if body.validated_data.get("note"):
            note_model = apps.get_model("duty", "ConversationNote")
            note = note_model.objects.visible_to(request.user).filter(pk=body.validated_data["note"]).first()
            if note is None:
                raise ValidationError({"note": [_("There is no such note of yours.")]})
        try:
            problem, created = services.problem_support(
                problem=problem,
                by=request.user,  # type: ignore[arg-type]
                client_uuid=body.validated_data["client_uuid"],
                note=note,
            )
        except IdempotencyConflict:
            return Response(
                {"detail": _("This was already sent with different content.")}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as error:
            raise ValidationError({"detail": error.messages}) from error
        problem = self.get_queryset().get(pk=problem.pk)
        return Response(
            ProblemSerializer(problem).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

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
            return _conflict()
        except DjangoValidationError as error:
            raise ValidationError(getattr(error, "message_dict", {"description": error.messages})) from error
        body = dict(ProblemSerializer(problem).data)
        if getattr(serializer, "pii_warnings", None):
            body["pii_warnings"] = serializer.pii_warnings
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _answer(self, problem: Problem, created: bool, serializer: Any = None) -> Response:
        problem = self.get_queryset().get(pk=problem.pk)
        body = dict(ProblemSerializer(problem, context={"with_timeline": True}).data)
        if serializer is not None and getattr(serializer, "pii_warnings", None):
            body["pii_warnings"] = serializer.pii_warnings
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=ForwardSerializer, responses={201: ProblemSerializer, 200: ProblemSerializer, **CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[IsCoordinator])
    def forward(self, request: Request, code: str) -> Response:
        """Forward the problem to a partner organisation (a referral); idempotent by client_uuid."""
        problem = self.get_object()
        serializer = ForwardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            created = _once(
                problem,
                {**data, "institution": data["institution"].pk},
                lambda: services.problem_forward(
                    problem=problem,
                    institution=data["institution"],
                    by=request.user,  # type: ignore[arg-type]
                    channel=data["channel"],
                    internal_text=data["internal_text"],
                ),
            )
        except IdempotencyConflict:
            return _conflict()
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return self._answer(problem, created, serializer)

    @extend_schema(request=AnswerSerializer, responses={201: ProblemSerializer, 200: ProblemSerializer, **CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[IsCoordinator])
    def answer(self, request: Request, code: str) -> Response:
        """Record an institution's answer to one of the problem's referrals; idempotent by client_uuid."""
        problem = self.get_object()
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        referral = problem.referrals.filter(pk=data["referral"]).first()
        if referral is None:
            raise ValidationError({"referral": [_("This problem has no such referral.")]})
        try:
            created = _once(
                problem,
                dict(data),
                lambda: services.referral_record_answer(
                    referral=referral,
                    answer=data["answer"],
                    outcome=data["outcome"],
                    by=request.user,  # type: ignore[arg-type]
                    public_text=data["public_text"],
                    answered_on=data.get("answered_on"),
                    resolve=data["resolve"],
                ),
            )
        except IdempotencyConflict:
            return _conflict()
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return self._answer(problem, created, serializer)

    @extend_schema(request=ToldSerializer, responses={201: ProblemSerializer, 200: ProblemSerializer, **CONFLICT})
    @action(detail=True, methods=["post"])
    def told(self, request: Request, code: str) -> Response:
        """Residents were told the news; idempotent by client_uuid."""
        problem = self.get_object()
        serializer = ToldSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            created = _once(
                problem,
                dict(data),
                lambda: services.problem_feedback_told(
                    problem=problem,
                    by=request.user,  # type: ignore[arg-type]
                    note=data["note"],
                ),
            )
        except IdempotencyConflict:
            return _conflict()
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return self._answer(problem, created, serializer)


router = SimpleRouter()
router.register("problems", ProblemViewSet, basename="problem")
urlpatterns = router.urls
