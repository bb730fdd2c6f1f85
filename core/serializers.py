from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .pii import name_warnings, validate_no_pii


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
        for field in (*self.pii_fields, *self.pii_address_fields):
            value = attrs.get(field)
            if not isinstance(value, str) or not value:
                continue
            try:
                validate_no_pii(value, allow_addresses=field in self.pii_address_fields)
            except DjangoValidationError as error:
                errors[field] = list(error.messages)
                continue
            warnings += name_warnings(value)
        if errors:
            raise serializers.ValidationError(errors)
        self.pii_warnings = warnings
        return attrs
