from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from core.serializers import PIIGuardSerializerMixin

from .models import Institution, Problem, ProblemCategory, ProblemEvent, Referral


class ProblemCreateSerializer(PIIGuardSerializerMixin, serializers.Serializer):
    pii_address_fields = ("description", "location")
    client_uuid = serializers.UUIDField()
    category = serializers.SlugRelatedField(slug_field="code", queryset=ProblemCategory.objects.filter(active=True))
    place = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(max_length=4000)
    location = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, min_value=-90, max_value=90
    )
    lon = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, min_value=-180, max_value=180
    )


class PublicEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProblemEvent
        fields = ("at", "kind", "public_text")


class ProblemSerializer(serializers.ModelSerializer):
    category: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True, default=None, allow_null=True)
    is_closed = serializers.BooleanField(read_only=True)
    duplicate_of_code = serializers.CharField(source="duplicate_of.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Problem
        fields = (
            "id",
            "code",
            "category",
            "place",
            "place_name",
            "location",
            "lat",
            "lon",
            "description",
            "source",
            "note",
            "reported_at",
            "status",
            "feedback",
            "untold_since",
            "is_closed",
            "supporters",
            "duplicate_of_code",
            "updated_at",
        )
        read_only_fields = fields

    def to_representation(self, instance: Problem) -> dict[str, Any]:
        data = super().to_representation(instance)
        if self.context.get("with_timeline"):
            data["timeline"] = PublicEventSerializer(instance.events.exclude(public_text=""), many=True).data
        return data


class ForwardSerializer(PIIGuardSerializerMixin, serializers.Serializer):
    pii_fields = ("internal_text",)
    client_uuid = serializers.UUIDField()
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.filter(active=True))
    channel = serializers.ChoiceField(choices=Referral.Channel.choices, default=Referral.Channel.EMAIL)
    internal_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AnswerSerializer(PIIGuardSerializerMixin, serializers.Serializer):
    pii_address_fields = ("answer", "public_text")
    client_uuid = serializers.UUIDField()
    referral = serializers.IntegerField(help_text="The id of one of this problem's referrals.")
    answer = serializers.CharField(max_length=4000, help_text="The institution's answer (internal).")
    outcome = serializers.ChoiceField(choices=Referral.Outcome.choices)
    public_text = serializers.CharField(max_length=2000, help_text="What residents will be told.")
    answered_on = serializers.DateField(required=False, allow_null=True)
    resolve = serializers.ChoiceField(
        choices=[
            ("", "still in progress"),
            (Problem.Status.RESOLVED, "resolved"),
            (Problem.Status.UNRESOLVABLE, "cannot be resolved"),
        ],
        required=False,
        allow_blank=True,
        default="",
    )


class ToldSerializer(PIIGuardSerializerMixin, serializers.Serializer):
    pii_address_fields = ("note",)
    client_uuid = serializers.UUIDField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SimilarQuerySerializer(serializers.Serializer):
    """The query string of /problems/similar/: a category, and a place or a point."""

    category = serializers.SlugRelatedField(slug_field="code", queryset=ProblemCategory.objects.filter(active=True))
    place = serializers.IntegerField(required=False, min_value=1)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90)
    lon = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, min_value=-180, max_value=180)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "place" not in attrs and ("lat" not in attrs or "lon" not in attrs):
            raise serializers.ValidationError(_("Give a place, or lat and lon."))
        return attrs


class SimilarProblemSerializer(serializers.ModelSerializer):
    category: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Problem
        fields = ("code", "category", "place", "place_name", "location", "status", "supporters", "reported_at")
        read_only_fields = fields


class SupportSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    note = serializers.IntegerField(required=False, allow_null=True)
