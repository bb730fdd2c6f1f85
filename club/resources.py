from typing import Any

from import_export import fields, resources, widgets

from core.resources import PIIGuardResourceMixin

from . import services
from .models import Activity, Room


class ActivityResource(PIIGuardResourceMixin, resources.ModelResource):
    """Import or export activities; importing a new activity plans its sessions too."""

    pii_address_fields = ("description",)
    room = fields.Field(attribute="room", column_name="room", widget=widgets.ForeignKeyWidget(Room, field="name"))
    weekdays = fields.Field(attribute="weekdays", column_name="weekdays", widget=widgets.JSONWidget())

    class Meta:
        model = Activity
        # A staff account is not something a spreadsheet can name: only the first name or nickname travels.
        fields = ("id", *(f for f in Activity.EDITABLE_FIELDS if f != "leader_user"))
        clean_model_instances = True
        skip_unchanged = True

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        try:
            services.validate_leader_name(instance.leader_name)
        except Exception as error:  # a ValidationError; reported per row in the preview
            errors.setdefault("leader_name", []).extend(getattr(error, "messages", [str(error)]))
        super().validate_instance(instance, errors, validate_unique)

    def save_instance(self, instance: Activity, is_create: bool, row: Any, **kwargs: Any) -> None:
        if kwargs.get("dry_run") and not is_create:
            return
        fields_ = {f: getattr(instance, f) for f in (self._meta.fields or ()) if f != "id"}
        if is_create:
            created = services.activity_create(**fields_)
            instance.pk = created.pk
        else:
            services.activity_update_series(activity=instance, **fields_)
