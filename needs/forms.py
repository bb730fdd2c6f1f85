from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PIIGuardFormMixin

from .models import Institution, Problem, ProblemCategory, Referral


class ProblemForm(PIIGuardFormMixin, forms.ModelForm):
    pii_address_fields = ("description", "location")
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # Set by "It is a different problem" after "Ktoś już to zgłosił" was shown.
    new_anyway = forms.BooleanField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Problem
        fields = ("category", "place", "location", "description", "lat", "lon")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "lat": forms.HiddenInput,
            "lon": forms.HiddenInput,
        }
        labels = {"description": _("What is the problem? (a street address of the broken thing is fine, no names)")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProblemCategory.objects.filter(active=True)  # type: ignore[attr-defined]
        from django.apps import apps

        place = apps.get_model("duty", "Place")
        self.fields["place"].queryset = place.objects.filter(active=True)  # type: ignore[attr-defined]


class SupportForm(forms.Form):
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code from the card"), max_length=20)


class ToldForm(PIIGuardFormMixin, forms.Form):
    pii_fields = ("note",)
    note = forms.CharField(label=_("What did residents say? (optional, for the team)"), required=False, max_length=500)


class ForwardForm(PIIGuardFormMixin, forms.Form):
    pii_fields = ("internal_text",)
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.filter(active=True))
    channel = forms.ChoiceField(label=_("Channel"), choices=Referral.Channel.choices)
    internal_text = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(PIIGuardFormMixin, forms.Form):
    pii_address_fields = ("answer", "public_text")
    referral = forms.ModelChoiceField(label=_("Referral"), queryset=Referral.objects.none())
    answer = forms.CharField(label=_("The institution's answer (internal)"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Referral.Outcome.choices)
    public_text = forms.CharField(label=_("What residents will be told"), widget=forms.Textarea(attrs={"rows": 2}))
    resolve = forms.ChoiceField(
        label=_("The problem is now"),
        required=False,
        choices=[
            ("", _("still in progress")),
            (Problem.Status.RESOLVED, _("resolved")),
            (Problem.Status.UNRESOLVABLE, _("cannot be resolved")),
        ],
    )

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = problem.referrals.select_related("institution")  # type: ignore[attr-defined]


class WaiveForm(PIIGuardFormMixin, forms.Form):
    pii_fields = ("reason",)
    reason = forms.CharField(label=_("Why residents will not be told"), widget=forms.Textarea(attrs={"rows": 2}))


class DuplicateForm(forms.Form):
    code = forms.CharField(label=_("Code of the earlier problem"), max_length=20)

    def clean_code(self) -> Problem:
        from .services import normalize_code

        problem = Problem.objects.filter(code=normalize_code(self.cleaned_data["code"])).first()
        if problem is None:
            raise forms.ValidationError(_("There is no problem with this code."))
        return problem


class ResolveForm(PIIGuardFormMixin, forms.Form):
    """Settle without (or beyond) an institution's answer; an empty public text takes the template."""

    pii_address_fields = ("public_text", "internal_text")
    resolution = forms.ChoiceField(
        label=_("How did it end?"),
        choices=[
            (Problem.Resolution.ON_THE_SPOT, _("solved on the spot")),
            (Problem.Resolution.NEIGHBOURS, _("solved by neighbours")),
            (Problem.Resolution.NOT_RELEVANT, _("no longer relevant")),
            (Problem.Resolution.INSTITUTION, _("an institution dealt with it")),
            (Problem.Resolution.FAILED, _("could not be solved")),
            (Problem.Resolution.OTHER, _("other")),
        ],
    )
    public_text = forms.CharField(
        label=_("What residents will be told"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty to use the wording of this ending (public text templates)."),
    )
    internal_text = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(PIIGuardFormMixin, forms.Form):
    pii_address_fields = ("reason",)
    reason = forms.CharField(label=_("Why it is open again (internal)"), widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(PIIGuardFormMixin, forms.Form):
    pii_address_fields = ("reason",)
    reason = forms.CharField(
        label=_("Why we no longer wait for this answer (internal)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RedirectForm(PIIGuardFormMixin, forms.Form):
    """ "Not our responsibility": record it and forward to the right institution in one step."""

    pii_address_fields = ("answer",)
    to = forms.ModelChoiceField(label=_("Forward to"), queryset=Institution.objects.filter(active=True))
    channel = forms.ChoiceField(label=_("Channel"), choices=Referral.Channel.choices)
    answer = forms.CharField(
        label=_("What they answered (internal)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
