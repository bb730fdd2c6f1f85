import uuid
from datetime import time, timedelta
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PIIGuardFormMixin
from core.models import User
from core.query import local_datetime
from core.roles import ASSISTANT
from core.widgets import DateInput, TimeInput
from needs.models import Need

from .models import ConversationNote, Place, Shift, Touchpoint


class ChipsWidget(forms.CheckboxSelectMultiple):
    """Checkboxes drawn as big tappable chips. With ``shown`` set, only the first ``shown`` options are
    out; the rest wait behind "more" (opened already when one of them is chosen)."""

    template_name = "duty/widgets/chips.html"
    option_template_name = "duty/widgets/chip_option.html"

    def __init__(self, *args: Any, shown: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown = shown

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        options = [
            option for _group, group_options, _index in context["widget"]["optgroups"] for option in group_options
        ]
        cut = len(options) if self.shown is None else self.shown
        if len(options) <= cut + 1:  # one option behind "more" is no saving
            cut = len(options)
        context["widget"].update(
            first=options[:cut],
            more=options[cut:],
            more_open=any(option["selected"] for option in options[cut:]),
        )
        return context


class ClientUUIDMixin(forms.Form):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())


class NoteForm(PIIGuardFormMixin, ClientUUIDMixin, forms.ModelForm):
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs"),
        queryset=Need.objects.filter(active=True),
        to_field_name="code",
        required=False,
        widget=ChipsWidget(shown=6),
    )

    class Meta:
        model = ConversationNote
        fields = ("needs", "stage", "touchpoint", "age_band", "wants_follow_up", "text")
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
            "stage": forms.RadioSelect,
            "age_band": forms.RadioSelect,
        }
        labels = {"text": _("What was the conversation about? (no names)")}

    # The needs chips: the most used in the last MOST_USED_DAYS days first.
    MOST_USED_DAYS = 90

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].choices = [("", "—"), *Touchpoint.choices]  # type: ignore[attr-defined]
        ranks = {pk: rank for rank, pk in enumerate(most_used_needs(self.MOST_USED_DAYS))}
        self.fields["needs"].queryset = (  # type: ignore[attr-defined]
            Need.objects.filter(active=True)
            .annotate(rank=Case(*[When(pk=pk, then=rank) for pk, rank in ranks.items()], default=len(ranks)))
            .order_by("rank", "order", "name")
        )


def most_used_needs(days: int) -> list[int]:
    """Need ids by how often notes of the last ``days`` days were tagged with them, most used first.

    Counted from the notes' side (their date index) and kept for an hour: every duty screen shows
    the chips, and a city's 90 days are a hundred thousand notes.
    """
    key = f"duty:needs:most-used:{days}"
    ranked: list[int] | None = cache.get(key)
    if ranked is None:
        since = timezone.now() - timedelta(days=days)
        ranked = list(
            ConversationNote.needs.through.objects.filter(conversationnote__created_at__gte=since)
            .values("need_id")
            .annotate(uses=Count("*"))
            .order_by("-uses")
            .values_list("need_id", flat=True)
        )
        cache.set(key, ranked, 60 * 60)
    return ranked


class ContactBoxNoteForm(NoteForm):
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.filter(active=True))
    date = forms.DateField(label=_("Date the note was dropped"), widget=DateInput())

    class Meta(NoteForm.Meta):
        fields = ("place", "date", *NoteForm.Meta.fields)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].initial = Touchpoint.CONTACT_BOX
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    def clean_date(self) -> Any:
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class EndShiftForm(ClientUUIDMixin, PIIGuardFormMixin, forms.Form):
    pii_fields = ("summary",)
    summary = forms.CharField(
        label=_("Summary of observations"), required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000})
    )
    weather = forms.ChoiceField(label=_("Weather"), choices=[("", "—"), *Shift.Weather.choices], required=False)
    touchpoints = forms.MultipleChoiceField(
        label=_("Touchpoints used"), choices=Touchpoint.choices, required=False, widget=ChipsWidget
    )


class AdHocShiftForm(ClientUUIDMixin, forms.Form):
    place = forms.ModelChoiceField(label=_("Where is the bike?"), queryset=Place.objects.filter(active=True))
    hours = forms.IntegerField(label=_("For how many hours?"), min_value=1, max_value=10, initial=2)


def assistants_queryset() -> Any:
    return User.objects.filter(groups__name=ASSISTANT, is_active=True).order_by("first_name", "username")


class PlanShiftForm(ClientUUIDMixin, forms.Form):
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.filter(active=True))
    day = forms.DateField(label=_("Day"), widget=DateInput())
    start = forms.TimeField(label=_("From"), widget=TimeInput(), initial=time(10, 0))
    end = forms.TimeField(label=_("To"), widget=TimeInput(), initial=time(12, 0))
    assistants = forms.ModelMultipleChoiceField(
        label=_("Assistants"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assistants"].queryset = assistants_queryset()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, start, end = cleaned.get("day"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            if end <= start:
                self.add_error("end", _("The shift must end after it starts."))
            else:
                try:
                    cleaned["planned_start"] = local_datetime(day, start, field="start")
                    cleaned["planned_end"] = local_datetime(day, end, field="end")
                except ValidationError as error:
                    self.add_error(None, error)
        return cleaned

    @classmethod
    def initial_for(cls, shift: Shift) -> dict[str, Any]:
        start = timezone.localtime(shift.planned_start)
        end = timezone.localtime(shift.planned_end)
        return {
            "place": shift.place_id,
            "day": start.date(),
            "start": start.time(),
            "end": end.time(),
            "assistants": list(shift.assistants.all()),
        }
