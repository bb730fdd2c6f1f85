from rest_framework import serializers

from .models import Service, ServiceTold


class ServiceSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="type.name", read_only=True)
    type_code = serializers.CharField(source="type.code", read_only=True)
    partner = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = Service
        fields = ("id", "name", "type", "type_code", "partner", "how_to_get", "description", "free", "public")
        read_only_fields = fields


class NeedBundleSerializer(serializers.Serializer):
    """One row per need: the counts of its bundles' services on offer and whether they make a bundle."""

    need = serializers.CharField(source="code")
    name = serializers.CharField()
    bundles = serializers.IntegerField(source="n_bundles")
    services = serializers.IntegerField(source="n_services")
    partners = serializers.IntegerField(source="n_partners")
    types = serializers.IntegerField(source="n_types")
    complete = serializers.BooleanField()
    why_not = serializers.CharField()


class ServiceToldSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    shift = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ServiceTold.Kind.choices, default=ServiceTold.Kind.TOLD)
