from typing import Any

from django.core.exceptions import ValidationError
from import_export import resources

from .pii import guard_plan


class PIIGuardResourceMixin(resources.ModelResource):
    """django-import-export: a row whose free text holds identifiers is refused, with the message
    shown in the import preview; nothing from that row is saved."""

    pii_fields: tuple[str, ...] = ()
    pii_address_fields: tuple[str, ...] = ()

    def validate_instance(
        self, instance: Any, import_validation_errors: dict[str, Any] | None = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        for field, validator in guard_plan(self.pii_fields, self.pii_address_fields, type(instance)).items():
            value = getattr(instance, field, "")
            if not isinstance(value, str) or not value:
                continue
            try:
                validator(value)
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
        super().validate_instance(instance, errors, validate_unique)
