"""CSV/XLSX import and export of services and service types, through the PII guard."""

from import_export import fields, resources, widgets

from core.resources import PIIGuardResourceMixin
from needs.models import Institution, Need

from .models import Service, ServiceType


class ServiceTypeResource(PIIGuardResourceMixin, resources.ModelResource):
    pii_fields = ("name", "description")

    class Meta:
        model = ServiceType
        fields = ("code", "name", "description", "owes_standard", "order", "active")
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True


class ServiceResource(PIIGuardResourceMixin, resources.ModelResource):
    """A service per row, matched by partner and name; needs as codes separated by commas."""

    pii_fields = ("name", "description", "who_may_use", "how_to_get")
    partner = fields.Field(
        attribute="partner", column_name="partner", widget=widgets.ForeignKeyWidget(Institution, field="name")
    )
    type = fields.Field(
        attribute="type", column_name="type", widget=widgets.ForeignKeyWidget(ServiceType, field="code")
    )
    needs = fields.Field(
        attribute="needs", column_name="needs", widget=widgets.ManyToManyWidget(Need, field="code", separator=",")
    )

    class Meta:
        model = Service
        fields = (
            "partner",
            "name",
            "type",
            "description",
            "who_may_use",
            "free",
            "how_to_get",
            "needs",
            "public",
            "active",
            "valid_from",
            "valid_until",
        )
        export_order = fields
        import_id_fields = ("partner", "name")
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("partner", "type").prefetch_related("needs")
