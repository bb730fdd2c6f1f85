from rest_framework import serializers

from .models import Room, Session
from .services import MAX_COUNT


class SessionSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="activity.title", read_only=True)
    room_name = serializers.CharField(source="room.name", read_only=True)
    public = serializers.BooleanField(source="activity.public", read_only=True)

    class Meta:
        model = Session
        fields = (
            "id",
            "activity",
            "title",
            "starts_at",
            "ends_at",
            "room",
            "room_name",
            "leader_name",
            "public",
            "cancelled",
            "cancel_reason",
            "moved_from",
            "children",
            "youth",
            "adults",
            "seniors",
            "first_time",
            "attendance_recorded_at",
        )
        read_only_fields = fields


class AttendanceSerializer(serializers.Serializer):
    children = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)
    youth = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)
    adults = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)
    seniors = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)
    first_time = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)


class MoveSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.filter(active=True), required=False)
    # Only for a session that has begun, and only a coordinator's: why it is corrected.
    correction_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
