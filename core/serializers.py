from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .pii import guard_plan, name_warnings


class PIIGuardSerializerMixin(serializers.Serializer):
    """DRF: 400 ``{"text": ["..."]}`` for identifiers; name-like phrases collected, never blocking.

    The view may add ``serializer.pii_warnings`` to its response as ``"pii_warnings"``.
    """

    pii_fields: tuple[str, ...] = ()
    pii_address_fields: tuple[str, ...] = ()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        errors: dict[str, list[str]] = {}
        warnings: list[str] = []
        meta = getattr(self, "Meta", None)
        plan = guard_plan(self.pii_fields, self.pii_address_fields, getattr(meta, "model", None), self.fields)
        for field, validator in plan.items():
            value = attrs.get(field)
            if not isinstance(value, str) or not value:
                continue
            try:
                validator(value)
            except DjangoValidationError as error:
                errors[field] = list(error.messages)
                continue
            if not validator.first_name_only:
                warnings += name_warnings(value)
        if errors:
            raise serializers.ValidationError(errors)
        self.pii_warnings = warnings
        return attrs
