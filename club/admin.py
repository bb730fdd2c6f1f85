from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import LargeTableAdminMixin, LoggedExportMixin, PIIGuardAdminMixin

from . import services
from .forms import ActivityFieldsForm
from .models import Activity, Room, Session
from .resources import ActivityResource


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "capacity", "active")
    search_fields = ("name",)


class ActivityAdminForm(ActivityFieldsForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        names = {f.name for f in Activity._meta.fields}
        draft = Activity(pk=self.instance.pk, **{k: v for k, v in cleaned.items() if k in names and k != "id"})
        if not self.errors and draft.room_id and draft.start_time and draft.end_time and draft.starts_on:
            conflict = services.planned_conflict(draft)
            if conflict:
                raise ValidationError(conflict)
        return cleaned


@admin.register(Activity)
class ActivityAdmin(LoggedExportMixin, PIIGuardAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    form = ActivityAdminForm
    resource_classes = [ActivityResource]
    list_display = ("title", "kind", "audience", "room", "recurrence", "starts_on", "until", "public")
    list_filter = ("kind", "audience", "room", "public", "recurrence")
    list_select_related = ("room", "leader_user")
    search_fields = ("title",)
    autocomplete_fields = ("room", "leader_user")

    def save_model(self, request: HttpRequest, obj: Activity, form: Any, change: bool) -> None:
        fields = {f: form.cleaned_data[f] for f in form.cleaned_data if f in {x.name for x in Activity._meta.fields}}
        # The form already checked for clashes; the service plans the sessions.
        if change:
            services.activity_update_series(activity=obj, **fields)
        else:
            created = services.activity_create(**fields)
            obj.pk = created.pk


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = (
            "activity",
            "starts_at",
            "ends_at",
            "room",
            "leader_user",
            "leader_name",
            "detached",
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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        room, starts_at, ends_at = cleaned.get("room"), cleaned.get("starts_at"), cleaned.get("ends_at")
        if room and starts_at and ends_at and not cleaned.get("cancelled"):
            if ends_at <= starts_at:
                raise ValidationError({"ends_at": _("The session must end after it starts.")})
            conflict = services.find_conflict(
                room=room,
                starts_at=starts_at,
                ends_at=ends_at,
                leader_user=cleaned.get("leader_user"),
                leader_name=cleaned.get("leader_name", ""),
                exclude=[self.instance.pk] if self.instance.pk else [],
            )
            if conflict:
                raise ValidationError(conflict)
        return cleaned


@admin.register(Session)
class SessionAdmin(LargeTableAdminMixin, PIIGuardAdminMixin, SimpleHistoryAdmin):
    form = SessionAdminForm
    list_display = ("starts_at", "activity", "room", "cancelled", "attendance_recorded_at")
    list_filter = (
        "cancelled",
        "room",
        "activity__kind",
        ("starts_at", admin.DateFieldListFilter),
        ("attendance_recorded_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("activity", "room")
    search_fields = ("activity__title",)
    autocomplete_fields = ("activity", "room", "leader_user")
    actions = ["cancel_sessions"]

    def save_model(self, request: HttpRequest, obj: Session, form: Any, change: bool) -> None:
        obj.detached = True
        obj.sequence += 1
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Cancel the selected sessions"))
    def cancel_sessions(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        # Sessions that have begun are corrected one by one, with a reason (the session's own page).
        for session in queryset.filter(cancelled=False, starts_at__gt=timezone.now()):
            services.session_cancel(session=session, reason=str(_("Cancelled by the Club")), by=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Sessions cancelled."))
