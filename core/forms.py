from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .pii import guard_plan, name_warnings


class PIIGuardFormMixin(forms.Form):
    """Refuse personal identifiers in ``pii_fields``; ask to confirm what looks like a name.

    ``pii_address_fields`` are checked too but may hold a street address (a broken lamp "przy
    ul. Kolejowej 5"). Identifiers are field errors: the form comes back with everything the
    user typed. A name-like phrase is only a warning (``form.pii_warnings``) until the user ticks
    ``pii_confirmed``; the box is hidden until there is something to confirm.
    """

    pii_fields: tuple[str, ...] = ()
    pii_address_fields: tuple[str, ...] = ()

    pii_confirmed = forms.BooleanField(
        label=_("This is not personal data — save anyway"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pii_warnings: list[str] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        warnings: list[str] = []
        meta = getattr(self, "_meta", None)
        plan = guard_plan(self.pii_fields, self.pii_address_fields, getattr(meta, "model", None), self.fields)
        for field, validator in plan.items():
            value = cleaned.get(field)
            if not isinstance(value, str) or not value:
                continue
            try:
                validator(value)
            except ValidationError as error:
                self.add_error(field, error)
                continue
            if not validator.first_name_only:
                warnings += name_warnings(value)
        self.pii_warnings = warnings
        if warnings and not cleaned.get("pii_confirmed"):
            self.fields["pii_confirmed"].widget = forms.CheckboxInput()
            self.add_error("pii_confirmed", _("Check the warning above and confirm, or change the text."))
        return cleaned
