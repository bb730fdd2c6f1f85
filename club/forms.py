from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import PIIGuardFormMixin
from core.models import User
from core.query import local_datetime
from core.roles import CLUB, COORDINATOR
from core.widgets import DateInput, TimeInput

from .models import Activity, Room, Session
from .services import ATTENDANCE_FIELDS, MAX_COUNT, WARSAW, validate_schedule

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def staff_leaders() -> Any:
    return User.objects.filter(groups__name__in=[CLUB, COORDINATOR], is_active=True).distinct().order_by("first_name")


class ActivityFieldsForm(forms.ModelForm):
    """The fields of an activity and their single-field rules, shared by the staff page and the admin."""

    class Meta:
        model = Activity
        fields = Activity.EDITABLE_FIELDS

    def clean_leader_name(self) -> str:
        return (self.cleaned_data.get("leader_name") or "").strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        schedule = ("recurrence", "starts_on", "until", "weekdays", "start_time", "end_time")
        if all(cleaned.get(name) is not None for name in ("recurrence", "starts_on", "start_time", "end_time")):
            draft = Activity(**{name: cleaned.get(name) for name in schedule})
            try:
                validate_schedule(draft)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class ActivityForm(PIIGuardFormMixin, ActivityFieldsForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta(ActivityFieldsForm.Meta):
        widgets = {
            "starts_on": DateInput(),
            "until": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "recurrence": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader_user"].queryset = staff_leaders()  # type: ignore[attr-defined]
        self.fields["room"].queryset = Room.objects.filter(active=True)  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    children = forms.IntegerField(label=_("Children"), min_value=0, max_value=MAX_COUNT, initial=0)
    youth = forms.IntegerField(label=_("Youth"), min_value=0, max_value=MAX_COUNT, initial=0)
    adults = forms.IntegerField(label=_("Adults"), min_value=0, max_value=MAX_COUNT, initial=0)
    seniors = forms.IntegerField(label=_("Seniors"), min_value=0, max_value=MAX_COUNT, initial=0)
    first_time = forms.IntegerField(
        label=_("Of them, here for the first time"), min_value=0, max_value=MAX_COUNT, initial=0
    )

    @classmethod
    def for_session(cls, session: Session, data: Any = None) -> "AttendanceForm":
        initial = {f: getattr(session, f) or 0 for f in ATTENDANCE_FIELDS}
        return cls(data, initial=initial)


class CorrectionMixin(forms.Form):
    """A coordinator correcting a session that has already taken place says why."""

    correction_reason = forms.CharField(label=_("Why is this past session corrected?"), max_length=200, required=False)

    def __init__(self, *args: Any, correcting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if correcting:
            self.fields["correction_reason"].required = True
        else:
            del self.fields["correction_reason"]


class CancelForm(PIIGuardFormMixin, CorrectionMixin, forms.Form):
    pii_fields = ("reason", "correction_reason")
    reason = forms.CharField(label=_("Reason (residents will see it)"), max_length=200)


class MoveForm(PIIGuardFormMixin, CorrectionMixin, forms.Form):
    pii_fields = ("correction_reason",)

    day = forms.DateField(label=_("Day"), widget=DateInput())
    start = forms.TimeField(label=_("From"), widget=TimeInput())
    end = forms.TimeField(label=_("To"), widget=TimeInput())
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.filter(active=True))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if all(cleaned.get(k) for k in ("day", "start", "end")):
            cleaned["starts_at"] = local_datetime(cleaned["day"], cleaned["start"], field="start", tz=WARSAW)
            cleaned["ends_at"] = local_datetime(cleaned["day"], cleaned["end"], field="end", tz=WARSAW)
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                raise ValidationError({"end": _("The session must end after it starts.")})
        return cleaned
