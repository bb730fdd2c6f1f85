"""The coordinator's desk for partners' services, the service types catalogue and bundles."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from core.admin import PIIGuardAdminMixin

from .models import Bundle, Service, ServiceTold, ServiceType
from .resources import ServiceResource, ServiceTypeResource


@admin.register(ServiceType)
class ServiceTypeAdmin(PIIGuardAdminMixin, ImportExportModelAdmin):
    pii_fields = ("name", "description")
    resource_classes = [ServiceTypeResource]
    list_display = ("name", "code", "owes_standard", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("owes_standard", "active")
    search_fields = ("name", "code")


@admin.register(Service)
class ServiceAdmin(PIIGuardAdminMixin, ImportExportModelAdmin):
    pii_fields = ("name", "description", "who_may_use", "how_to_get")
    resource_classes = [ServiceResource]
    list_display = ("name", "partner", "type", "free", "public", "active", "valid_until")
    list_filter = ("type", "public", "active", "free", "partner__kind")
    list_select_related = ("partner", "type")
    search_fields = ("name", "partner__name", "how_to_get")
    autocomplete_fields = ("partner",)
    filter_horizontal = ("needs",)
    fieldsets = [
        (None, {"fields": ["partner", "name", "type", "description"]}),
        (_("For residents"), {"fields": ["who_may_use", "free", "how_to_get", "needs", "public"]}),
        (_("Availability"), {"fields": ["active", "valid_from", "valid_until"]}),
    ]


@admin.register(Bundle)
class BundleAdmin(PIIGuardAdminMixin, admin.ModelAdmin):
    pii_fields = ("name", *Bundle.CANVAS)
    list_display = ("name", "stage", "completeness_shown", "active")
    list_filter = ("stage", "active", "needs")
    search_fields = ("name",)
    filter_horizontal = ("needs", "services")
    readonly_fields = ("completeness_shown",)
    fieldsets = [
        (None, {"fields": ["name", "needs", "stage", "active", "services", "completeness_shown"]}),
        (
            _("Business Model Canvas"),
            {
                "fields": list(Bundle.CANVAS),
                "description": _("A few sentences a block (up to 500 characters): the Canvas prints on one A4 page."),
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bundle]:
        return super().get_queryset(request).with_counts()  # type: ignore[attr-defined]

    @admin.display(description=_("completeness"))
    def completeness_shown(self, obj: Bundle) -> str:
        if obj.pk is None:
            return "—"
        c = obj.completeness()
        return str(_("complete")) if c.complete else f"{_('incomplete')}: {c.why_not}"


@admin.register(ServiceTold)
class ServiceToldAdmin(admin.ModelAdmin):
    """Read-only: anonymous counts taken on the phone."""

    list_display = ("service", "shift", "kind", "at")
    list_filter = ("kind",)
    list_select_related = ("service__partner", "shift__place")
    date_hierarchy = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
