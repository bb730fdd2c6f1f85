from typing import Any

from import_export import fields, resources, widgets

from core.resources import PIIGuardResourceMixin

from . import services
from .models import Activity, Room


class ActivityResource(PIIGuardResourceMixin, resources.ModelResource):
    """Import or export activities; importing a new activity plans its sessions too."""

    room = fields.Field(attribute="room", column_name="room", widget=widgets.ForeignKeyWidget(Room, field="name"))
    weekdays = fields.Field(attribute="weekdays", column_name="weekdays", widget=widgets.JSONWidget())

    class Meta:
        model = Activity
        # A staff account is not something a spreadsheet can name: only the first name or nickname travels.
        fields = ("id", *(f for f in Activity.EDITABLE_FIELDS if f != "leader_user"))
        clean_model_instances = True
        skip_unchanged = True

    def save_instance(self, instance: Activity, is_create: bool, row: Any, **kwargs: Any) -> None:
        if kwargs.get("dry_run") and not is_create:
            return
        fields_ = {f: getattr(instance, f) for f in (self._meta.fields or ()) if f != "id"}
        if is_create:
            created = services.activity_create(**fields_)
            instance.pk = created.pk
        else:
            services.activity_update_series(activity=instance, **fields_)
