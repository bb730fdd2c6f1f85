from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Kind


class PreferencesForm(forms.Form):
    """E-mail per kind; only the kinds that reach this user are offered."""

    email_kinds = forms.MultipleChoiceField(
        label=_("Send me an e-mail about"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("“%(value)s” is not a kind of notification. Choose from the list.")},
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str | Promise]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["email_kinds"].choices = kinds  # type: ignore[attr-defined]
