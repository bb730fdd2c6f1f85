import json
from functools import cached_property
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from . import accesslog
from .forms import PIIGuardFormMixin
from .models import AccessLogEntry, ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "email", "is_staff", "is_active")
    list_filter = ("groups", "is_staff", "is_active")


# The API authenticates with core's hashed, expiring tokens only; DRF's plain tokens are not offered.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Coordinators issue a token for an integration (shown once) and revoke it; tokens expire."""

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at", "is_valid")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "expires_at", "revoked_at")
    fields = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    actions = ["revoke"]

    @admin.display(boolean=True, description=_("valid"))
    def is_valid(self, token: ApiToken) -> bool:
        return token.revoked_at is None and token.expires_at > timezone.now()

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if not obj.key_hash:
            raw = obj.set_token()
            messages.warning(request, _("The new token (shown once, copy it now): %(token)s") % {"token": raw})
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token.revoke()
        messages.success(request, _("Revoked."))


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Exports and bulk reads of notes, for administrators; nobody may add, change or delete an entry."""

    list_display = ("at", "username", "kind", "what", "rows", "filter")
    list_filter = ("kind", "what")
    date_hierarchy = "at"

    def has_module_permission(self, request: Any) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class LoggedExportMixin:
    """django-import-export: every export is written to the access log (who, filter, rows)."""

    def get_export_data(self, file_format: Any, request: Any, queryset: Any, **kwargs: Any) -> Any:
        data = super().get_export_data(file_format, request, queryset, **kwargs)  # type: ignore[misc]
        model = self.model  # type: ignore[attr-defined]
        accesslog.access_record(
            request=request, kind=AccessLogEntry.Kind.EXPORT, what=model._meta.label_lower, rows=queryset.count()
        )
        return data


class _PIIGuardAdminBase:
    pii_fields: tuple[str, ...] = ()
    pii_address_fields: tuple[str, ...] = ()

    def _guarded(self, form: Any) -> type:
        return type(
            f"PIIGuarded{form.__name__}",
            (PIIGuardFormMixin, form),
            {"pii_fields": self.pii_fields, "pii_address_fields": self.pii_address_fields},
        )


class PIIGuardAdminMixin(_PIIGuardAdminBase):
    """ModelAdmin: the same guard as the phone's forms, on ``pii_fields``/``pii_address_fields``."""

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = self._guarded(kwargs.get("form", self.form))  # type: ignore[attr-defined]
        return super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        names = {f for _name, opts in fieldsets for f in opts.get("fields", ()) if isinstance(f, str)}
        if "pii_confirmed" not in names:
            fieldsets = [*fieldsets, (None, {"fields": ["pii_confirmed"]})]
        return fieldsets


class PIIGuardInlineMixin(_PIIGuardAdminBase):
    """InlineModelAdmin: guard every row of the inline formset."""

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["form"] = self._guarded(kwargs.get("form", self.form))  # type: ignore[attr-defined]
        return super().get_formset(request, obj, **kwargs)  # type: ignore[misc]


class EstimatedCountPaginator(Paginator):
    """Counts that never read a big table whole.

    Unfiltered: PostgreSQL's own row estimate of the table. Filtered or searched: the rows are
    counted up to ``COUNT_CAP`` (cheap, the filters are index-backed); past that, the planner's
    estimate of the filtered query stands in, so "page 3 of about 40,000" costs what page 1 does.
    """

    COUNT_CAP = 1000

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is None or connection.vendor != "postgresql":
            return super().count
        if not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [query.model._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] > 10_000:
                return int(row[0])
            return super().count
        capped = self.object_list.order_by()[: self.COUNT_CAP + 1]  # type: ignore[attr-defined]
        counted = capped.count()
        if counted <= self.COUNT_CAP:
            return counted
        sql, params = self.object_list.order_by().values("pk").query.sql_with_params()  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return max(counted, int(plan[0]["Plan"]["Plan Rows"]))


class LargeTableAdminMixin:
    """For tables that grow every day: no second COUNT(*) for "show all", estimated counts, and no
    ``date_hierarchy`` (its year links read the whole table on every page; use a date filter)."""

    show_full_result_count = False
    paginator: type[Paginator] = EstimatedCountPaginator
    list_per_page = 50
    date_hierarchy: str | None = None
