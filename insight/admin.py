from django.contrib import admin
from django.http import HttpRequest

from core.admin import PIIGuardAdminMixin

from .models import CostSettings, Investment, MonthlyCost, ReportRecipient, ReportSend


@admin.register(Investment)
class InvestmentAdmin(PIIGuardAdminMixin, admin.ModelAdmin):
    pii_fields = ("name",)
    list_display = ("name", "amount", "bought_on", "amortisation_months")


@admin.register(MonthlyCost)
class MonthlyCostAdmin(PIIGuardAdminMixin, admin.ModelAdmin):
    pii_fields = ("name",)
    list_display = ("__str__", "kind", "amount", "valid_from", "valid_until")
    list_filter = ("kind",)


@admin.register(CostSettings)
class CostSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "staff_cost_per_hour")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not CostSettings.objects.exists()


@admin.register(ReportRecipient)
class ReportRecipientAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "active")
    list_filter = ("active",)


@admin.register(ReportSend)
class ReportSendAdmin(admin.ModelAdmin):
    list_display = ("month", "claimed_at", "sent_at", "recipients")
    readonly_fields = ("month", "claimed_at", "sent_at", "recipients")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
