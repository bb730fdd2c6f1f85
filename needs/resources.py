from typing import Any

from django.apps import apps
from import_export import fields, resources, widgets

from core.resources import PIIGuardResourceMixin

from . import services
from .models import Institution, Need, Problem, ProblemCategory


class ProblemResource(PIIGuardResourceMixin, resources.ModelResource):
    """Export problems; import new ones (e.g. notes from the contact box typed into a sheet).

    Imported rows go through the same service as the phone: they get a code and a timeline."""

    category = fields.Field(
        attribute="category", column_name="category", widget=widgets.ForeignKeyWidget(ProblemCategory, field="code")
    )
    place = fields.Field(
        attribute="place",
        column_name="place",
        widget=widgets.ForeignKeyWidget(apps.get_model("duty", "Place"), field="name"),
    )

    class Meta:
        model = Problem
        fields = ("code", "category", "place", "location", "description", "source", "status", "feedback", "reported_at")
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = True

    def save_instance(self, instance: Problem, is_create: bool, row: Any, **kwargs: Any) -> None:
        if not is_create:
            return  # an import never rewrites the history of an existing problem
        if kwargs.get("dry_run"):
            return
        problem, _created = services.problem_report(
            category=instance.category,
            description=instance.description,
            by=None,
            place=instance.place,
            location=instance.location or "",
            source=instance.source or Problem.Source.CONTACT_BOX,
        )
        instance.pk, instance.code = problem.pk, problem.code


class InstitutionResource(PIIGuardResourceMixin, resources.ModelResource):
    """Partner organisations to and from CSV/XLSX, matched by name."""

    pii_fields = ("name", "opening_hours")
    pii_address_fields = ("address", "contact")

    class Meta:
        model = Institution
        fields = (
            "name",
            "kind",
            "address",
            "opening_hours",
            "public_phone",
            "public_email",
            "website",
            "contact",
            "email",
            "phone",
            "answer_days",
            "active",
        )
        export_order = fields
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True


class NeedResource(PIIGuardResourceMixin, resources.ModelResource):
    """The needs catalogue to and from CSV/XLSX, matched by code."""

    pii_fields = ("name", "description")

    class Meta:
        model = Need
        fields = ("code", "name", "description", "order", "active")
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True


class ProblemCategoryResource(PIIGuardResourceMixin, resources.ModelResource):
    """Problem categories to and from CSV/XLSX, matched by code; institution kinds as codes separated by commas."""

    pii_fields = ("name", "description")
    institution_kinds = fields.Field(
        attribute="institution_kinds", column_name="institution_kinds", widget=widgets.SimpleArrayWidget(",")
    )

    class Meta:
        model = ProblemCategory
        fields = ("code", "name", "description", "institution_kinds", "never_public", "order", "active")
        export_order = fields
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True
