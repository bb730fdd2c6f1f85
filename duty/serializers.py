from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import User
from core.roles import ASSISTANT
from core.serializers import PIIGuardSerializerMixin
from needs.models import Need

from .models import ConversationNote, Place, Shift, Touchpoint


class NeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = ("code", "name", "description")


class PlaceSerializer(PIIGuardSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = ("id", "name", "kind", "district", "lat", "lon", "description", "active")
        read_only_fields = ("id",)


class ShiftSerializer(serializers.ModelSerializer):
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    assistants = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(groups__name=ASSISTANT), required=False
    )
    counters = serializers.SerializerMethodField()
    # Blank until the shift ends: the schema must allow "" next to the weather choices.
    weather = serializers.ChoiceField(choices=Shift.Weather.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Shift
        fields = (
            "id",
            "client_uuid",
            "place",
            "planned_start",
            "planned_end",
            "assistants",
            "status",
            "started_at",
            "ended_at",
            "summary",
            "weather",
            "touchpoints",
            "counters",
        )
        read_only_fields = ("id", "status", "started_at", "ended_at", "summary", "weather", "touchpoints", "counters")

    def get_counters(self, shift: Shift) -> dict[str, int]:
        return {name: getattr(shift, name) for name in Shift.COUNTERS}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["planned_end"] <= attrs["planned_start"]:
            raise serializers.ValidationError({"planned_end": [_("The shift must end after it starts.")]})
        return attrs


class ShiftEndSerializer(PIIGuardSerializerMixin, serializers.Serializer):
    pii_fields = ("summary",)
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    weather = serializers.ChoiceField(choices=Shift.Weather.choices, required=False, allow_blank=True, default="")
    touchpoints = serializers.ListField(child=serializers.ChoiceField(choices=Touchpoint.choices), required=False)


class ShiftStartSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField(required=False, allow_null=True)


class CounterTapSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    counter = serializers.ChoiceField(choices=[(c, c) for c in Shift.COUNTERS])
    delta = serializers.IntegerField(min_value=-20, max_value=20)


class NeedCodesField(serializers.ListField):
    """A note's needs as their codes (read from the prefetched needs)."""

    def to_representation(self, data: Any) -> list[str]:
        return [need.code for need in data.all()]


class NoteSerializer(PIIGuardSerializerMixin, serializers.ModelSerializer):
    client_uuid = serializers.UUIDField()
    # Codes in, codes out. The service checks the codes in the same statement that tags the note,
    # so a note with five needs costs one query for them, not five.
    needs = NeedCodesField(child=serializers.SlugField(max_length=40), required=False, max_length=50)
    shift = serializers.PrimaryKeyRelatedField(queryset=Shift.objects.none())
    # Sent by phones that still run the screen from before "first contact" became a stage only:
    # a note marked so is a note at the stage of first contact (unless a later stage was chosen).
    first_contact = serializers.BooleanField(write_only=True, required=False)

    class Meta:
        model = ConversationNote
        fields = (
            "id",
            "client_uuid",
            "shift",
            "place",
            "date",
            "source",
            "text",
            "needs",
            "stage",
            "age_band",
            "touchpoint",
            "first_contact",
            "wants_follow_up",
            "created_at",
        )
        read_only_fields = ("id", "place", "date", "source", "created_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            from .selectors import shifts_visible_to

            # The shift's assistants are not needed to check it: one query, not two.
            self.fields["shift"].queryset = shifts_visible_to(request.user).prefetch_related(None)  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if attrs.pop("first_contact", False) and attrs.get("stage") in (None, ConversationNote.Stage.DISCOVERY):
            attrs["stage"] = ConversationNote.Stage.FIRST_CONTACT
        return attrs
