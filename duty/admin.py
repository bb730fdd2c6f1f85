from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.accesslog import access_record
from core.admin import LargeTableAdminMixin, LoggedExportMixin, PIIGuardAdminMixin
from core.models import AccessLogEntry

from .models import ConversationNote, CounterTap, Place, Shift
from .resources import PlaceResource
from .selectors import text_search_q


@admin.register(Place)
class PlaceAdmin(LoggedExportMixin, PIIGuardAdminMixin, ImportExportModelAdmin):
    resource_classes = [PlaceResource]
    list_display = ("name", "kind", "district", "lat", "lon", "active")
    list_filter = ("kind", "district", "active")
    search_fields = ("name", "district")


class CounterTapInline(admin.TabularInline):
    model = CounterTap
    fields = ("at", "counter", "delta", "by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[CounterTap]:
        return super().get_queryset(request).select_related("by")


@admin.register(Shift)
class ShiftAdmin(LargeTableAdminMixin, PIIGuardAdminMixin, SimpleHistoryAdmin):
    list_display = ("planned_start", "place", "status", "assistant_names", "coffee", "adults", "children")
    list_filter = ("status", "place", ("planned_start", admin.DateFieldListFilter), "assistants")
    list_select_related = ("place",)
    autocomplete_fields = ("place", "assistants")
    # The place's name only: "OR summary LIKE '%…%'" would read every shift on every search.
    search_fields = ("place__name",)
    readonly_fields = ("started_at", "ended_at", *Shift.COUNTERS)
    inlines = [CounterTapInline]
    fieldsets = (
        (None, {"fields": ("place", "planned_start", "planned_end", "assistants", "status")}),
        (_("On the day"), {"fields": ("started_at", "ended_at", "weather", "touchpoints", "summary")}),
        (_("Counters"), {"fields": Shift.COUNTERS}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shift]:
        return super().get_queryset(request).prefetch_related("assistants")

    @admin.display(description=_("assistants"))
    def assistant_names(self, shift: Shift) -> str:
        return ", ".join(str(a) for a in shift.assistants.all()) or "—"


@admin.register(ConversationNote)
class ConversationNoteAdmin(LargeTableAdminMixin, PIIGuardAdminMixin, SimpleHistoryAdmin):
    list_display = ("created_at", "place", "date", "stage", "age_band", "need_names", "wants_follow_up", "created_by")
    list_filter = (
        "stage",
        "place",
        ("date", admin.DateFieldListFilter),
        "needs",
        "source",
        "wants_follow_up",
        "created_by",
    )
    list_select_related = ("place", "created_by", "shift__place")
    autocomplete_fields = ("place", "shift")
    search_fields = ("text",)  # through the full-text index, see get_search_results
    search_help_text = _("Finds notes containing all the words, in any form that starts with them (remont → remontu).")
    filter_horizontal = ("needs",)
    readonly_fields = ("created_by", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConversationNote]:
        return super().get_queryset(request).prefetch_related("needs")

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            rows = len(changelist.result_list)
            access_record(request=request, kind=AccessLogEntry.Kind.BULK_READ, what="duty.conversationnote", rows=rows)
        return response

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ConversationNote], search_term: str
    ) -> tuple[QuerySet[ConversationNote], bool]:
        """Words of the note's text through its full-text index, never ``LIKE '%…%'`` over every note."""
        if not search_term.strip():
            return queryset, False
        return queryset.filter(text_search_q(search_term)), False

    @admin.display(description=_("needs"))
    def need_names(self, note: ConversationNote) -> str:
        return ", ".join(n.name for n in note.needs.all())

    def save_model(self, request: HttpRequest, obj: ConversationNote, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(CounterTap)
class CounterTapAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ("at", "shift", "counter", "delta", "by")
    list_filter = ("counter",)
    list_select_related = ("shift__place", "by")
    readonly_fields = ("shift", "counter", "delta", "at", "by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
