"""Widgets for the browser's native date and time pickers.

``<input type="date">`` accepts only ``yyyy-mm-dd`` (``time``: ``HH:MM``, ``datetime-local``:
``yyyy-mm-ddTHH:MM``). Django's default widgets render the active locale's format (``29.11.2026``),
which the browser discards, so an edit form would open empty. Every form uses these instead.
"""

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATE)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_TIME)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATETIME)
