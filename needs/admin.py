"""The coordinator's desk: problems, referrals, institutions and catalogues.

Every action goes through needs.services, so the admin writes the same timeline events as the
phone does.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import LargeTableAdminMixin, LoggedExportMixin, PIIGuardAdminMixin

from . import selectors, services, texts
from .forms import (
    AnswerForm,
    DuplicateForm,
    ForwardForm,
    RedirectForm,
    ReopenForm,
    ResolveForm,
    WaiveForm,
    WithdrawForm,
)
from .models import Institution, Need, Open311Key, Problem, ProblemCategory, ProblemEvent, PublicText, Referral
from .resources import InstitutionResource, NeedResource, ProblemCategoryResource, ProblemResource


@admin.register(Need)
class NeedAdmin(PIIGuardAdminMixin, ImportExportModelAdmin):
    pii_fields = ("name", "description")
    resource_classes = [NeedResource]
    list_display = ("name", "code", "order", "active")
    list_editable = ("order", "active")
    search_fields = ("name", "code")


@admin.register(Institution)
class InstitutionAdmin(LoggedExportMixin, PIIGuardAdminMixin, ImportExportModelAdmin):
    """Partner organisations: where problems go and who offers services (one list)."""

    pii_fields = ("name", "opening_hours")
    pii_address_fields = ("address", "contact")
    resource_classes = [InstitutionResource]
    list_display = ("name", "kind", "opening_hours", "public_phone", "answer_days", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "address")
    fieldsets = [
        (None, {"fields": ["name", "kind", "active"]}),
        (
            _("For residents"),
            {"fields": ["address", "opening_hours", "public_phone", "public_email", "website"]},
        ),
        (_("For referrals (internal)"), {"fields": ["contact", "email", "phone", "answer_days"]}),
    ]


class ProblemCategoryForm(forms.ModelForm):
    institution_kinds = forms.MultipleChoiceField(
        label=_("kinds of institution that usually handle it"),
        choices=Institution.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ProblemCategory
        fields = ("code", "name", "description", "institution_kinds", "institutions", "never_public", "order", "active")


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(PIIGuardAdminMixin, ImportExportModelAdmin):
    form = ProblemCategoryForm
    pii_fields = ("name", "description")
    resource_classes = [ProblemCategoryResource]
    list_display = ("name", "code", "order", "active", "never_public")
    list_filter = ("never_public",)
    search_fields = ("name", "code")
    filter_horizontal = ("institutions",)


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "active", "created_at")
    readonly_fields = ("prefix", "created_at")

    def save_model(self, request: HttpRequest, obj: Open311Key, form: Any, change: bool) -> None:
        if not obj.key_hash:
            secret = obj.set_key()
            messages.warning(request, _("The new key (shown once, copy it now): %(key)s") % {"key": secret})
        super().save_model(request, obj, form, change)


class OverdueFilter(admin.SimpleListFilter):
    title = _("answer overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Problem]) -> QuerySet[Problem]:
        overdue = Referral.objects.overdue(timezone.localdate()).filter(problem=OuterRef("pk"))
        if self.value() == "yes":
            return queryset.filter(Exists(overdue))
        if self.value() == "no":
            return queryset.exclude(Exists(overdue))
        return queryset


class ReferralInline(admin.TabularInline):
    model = Referral
    fields = ("institution", "channel", "sent_on", "due_on", "answered_on", "outcome", "answer")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = ProblemEvent
    fields = ("at", "kind", "by", "public_text", "internal_text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("timeline")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProblemEvent]:
        return super().get_queryset(request).select_related("by")


class ActionForm(forms.Form):
    """Hidden fields that carry the admin action through an intermediate page."""

    action = forms.CharField(widget=forms.HiddenInput)
    apply = forms.CharField(widget=forms.HiddenInput, initial="1")


class RowActionsMixin:
    """Admin actions that run a service on each selected row, some after a form on an intermediate page.

    Every action goes through needs.services; a row the service refuses is named with its reason and
    the others still run.
    """

    done_message: Any = _("Done for %(n)s problems.")
    action_related: tuple[str, ...] = ()

    def _label(self, obj: Any) -> str:
        return str(obj)

    def _run(self, request: HttpRequest, queryset: QuerySet[Any], work: Callable[[Any], object]) -> None:
        done = 0
        for obj in queryset.select_related(*self.action_related):
            try:
                work(obj)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{self._label(obj)}: {' '.join(error.messages)}", messages.ERROR)  # type: ignore[attr-defined]
        if done:
            self.message_user(request, self.done_message % {"n": done}, messages.SUCCESS)  # type: ignore[attr-defined]

    def _with_form(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        form: forms.Form,
        title: Any,
        work: Callable[[Any, dict[str, Any]], object],
    ) -> HttpResponse | None:
        """An action that first asks for a form on an intermediate page, then runs on each row."""
        if form.is_valid():
            self._run(request, queryset, lambda obj: work(obj, form.cleaned_data))
            return None
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": title,
            "form": form,
            "problems": queryset,
            "action": request.POST["action"],
            "opts": self.model._meta,  # type: ignore[attr-defined]
        }
        return render(request, "admin/needs/problem/action_form.html", context)

    @staticmethod
    def _bound(request: HttpRequest) -> Any:
        return request.POST if "apply" in request.POST else None


class ProblemAddForm(forms.ModelForm):
    """A coordinator's new report: like the phone's, it first shows the open problems it would duplicate."""

    new_anyway = forms.BooleanField(
        label=_("It is a different problem: save it anyway"),
        required=False,
        help_text=_("Tick only after checking the problems already reported (Ktoś już to zgłosił)."),
    )

    class Meta:
        model = Problem
        fields = ("category", "description", "public_summary", "place", "location", "lat", "lon", "source", "note")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        category = data.get("category")
        if category is None or data.get("new_anyway") or self.errors:
            return data
        place = data.get("place")
        similar = selectors.problems_similar(category=category, place=place, lat=data.get("lat"), lon=data.get("lon"))
        if similar:
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a> ({})',
                (
                    (
                        reverse("admin:needs_problem_change", args=[p.pk]),
                        p.code,
                        _("voices: %(n)s") % {"n": p.supporters},
                    )
                    for p in similar
                ),
            )
            raise ValidationError(
                format_html(
                    "{}: {}. {}",
                    _("Someone has already reported this"),
                    links,
                    _(
                        "If it is the same problem, add this resident's voice on its page instead; "
                        "if not, tick “It is a different problem” and save again."
                    ),
                )
            )
        return data


@admin.register(Problem)
class ProblemAdmin(
    RowActionsMixin,
    LoggedExportMixin,
    LargeTableAdminMixin,
    PIIGuardAdminMixin,
    ImportExportModelAdmin,
    SimpleHistoryAdmin,
):
    resource_classes = [ProblemResource]
    list_display = ("code", "category", "place", "status", "supporters", "feedback", "reported_at", "untold_since")
    list_filter = (
        "status",
        "feedback",
        "category",
        "place",
        "referrals__institution",
        OverdueFilter,
        ("reported_at", admin.DateFieldListFilter),
    )
    list_select_related = ("category", "place")
    search_fields = ("=code", "code__istartswith")
    autocomplete_fields = ("place", "category", "duplicate_of", "note")
    readonly_fields = (
        "code",
        "status",
        "resolution",
        "supporters",
        "feedback",
        "untold_since",
        "reported_by",
        "feedback_waived_reason",
        "still_broken_since",
        "fix_checked_at",
    )
    list_per_page = 50
    inlines = [ReferralInline, EventInline]
    actions = [
        "forward",
        "record_answer",
        "resolve",
        "reopen",
        "feedback_told",
        "waive_feedback",
        "mark_duplicate",
        "print_cards",
    ]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "category",
                    "description",
                    "public_summary",
                    "place",
                    "location",
                    "lat",
                    "lon",
                    "source",
                    "note",
                )
            },
        ),
        (
            _("State"),
            {
                "fields": (
                    "status",
                    "resolution",
                    "supporters",
                    "feedback",
                    "feedback_waived_reason",
                    "untold_since",
                    "still_broken_since",
                    "fix_checked_at",
                    "duplicate_of",
                    "reported_by",
                )
            },
        ),
    )

    def _label(self, obj: Any) -> str:
        return str(obj.code)

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ProblemAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            fieldsets = [*fieldsets, (_("Already reported?"), {"fields": ["new_anyway"]})]
        return fieldsets

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Problem], search_term: str
    ) -> tuple[QuerySet[Problem], bool]:
        """A code or its beginning, as residents write it ("ab-12" finds AB12…), through the code's index."""
        code = services.normalize_code(search_term)
        if not code:
            return queryset, False
        return queryset.filter(code__startswith=code), False

    def save_model(self, request: HttpRequest, obj: Problem, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        problem, _created = services.problem_report(
            category=obj.category,
            description=obj.description,
            by=request.user,  # type: ignore[arg-type]
            place=obj.place,
            note=obj.note,
            location=obj.location,
            lat=obj.lat,
            lon=obj.lon,
            source=Problem.Source.COORDINATOR,
        )
        obj.pk, obj.code = problem.pk, problem.code

    @admin.action(description=_("Forward to an institution"))
    def forward(self, request: HttpRequest, queryset: QuerySet[Problem]) -> HttpResponse | None:
        by = request.user
        return self._with_form(
            request,
            queryset,
            ForwardForm(self._bound(request)),
            _("Forward to an institution"),
            lambda p, data: services.problem_forward(
                problem=p,
                institution=data["institution"],
                channel=data["channel"],
                by=by,  # type: ignore[arg-type]
                internal_text=data["internal_text"],
            ),
        )

    @admin.action(description=_("Record an institution's answer"))
    def record_answer(self, request: HttpRequest, queryset: QuerySet[Problem]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one problem to record an answer."), messages.WARNING)
            return None
        by = request.user
        return self._with_form(
            request,
            queryset,
            AnswerForm(self._bound(request), problem=queryset.get()),
            _("Record an institution's answer"),
            lambda p, data: services.referral_record_answer(
                referral=data["referral"],
                answer=data["answer"],
                outcome=data["outcome"],
                by=by,  # type: ignore[arg-type]
                public_text=data["public_text"],
                resolve=data["resolve"],
            ),
        )

    @admin.action(description=_("Settle: solved, no longer relevant or could not be solved"))
    def resolve(self, request: HttpRequest, queryset: QuerySet[Problem]) -> HttpResponse | None:
        by = request.user
        return self._with_form(
            request,
            queryset,
            ResolveForm(self._bound(request)),
            _("Settle the problem"),
            lambda p, data: services.problem_resolve(
                problem=p,
                resolution=data["resolution"],
                by=by,  # type: ignore[arg-type]
                public_text=data["public_text"],
                internal_text=data["internal_text"],
            ),
        )

    @admin.action(description=_("Reopen"))
    def reopen(self, request: HttpRequest, queryset: QuerySet[Problem]) -> HttpResponse | None:
        by = request.user
        return self._with_form(
            request,
            queryset,
            ReopenForm(self._bound(request)),
            _("Reopen the problem"),
            lambda p, data: services.problem_reopen(problem=p, by=by, reason=data["reason"]),  # type: ignore[arg-type]
        )

    @admin.action(description=_("Residents were told"))
    def feedback_told(self, request: HttpRequest, queryset: QuerySet[Problem]) -> None:
        self._run(request, queryset, lambda p: services.problem_feedback_told(problem=p, by=request.user))  # type: ignore[arg-type]

    @admin.action(description=_("Waive telling residents (with a reason)"))
    def waive_feedback(self, request: HttpRequest, queryset: QuerySet[Problem]) -> HttpResponse | None:
        by = request.user
        return self._with_form(
            request,
            queryset,
            WaiveForm(self._bound(request)),
            _("Waive telling residents"),
            lambda p, data: services.problem_feedback_waive(problem=p, by=by, reason=data["reason"]),  # type: ignore[arg-type]
        )

    @admin.action(description=_("Merge into another problem (a duplicate)"))
    def mark_duplicate(self, request: HttpRequest, queryset: QuerySet[Problem]) -> HttpResponse | None:
        by = request.user
        return self._with_form(
            request,
            queryset,
            DuplicateForm(self._bound(request)),
            _("Merge into another problem"),
            lambda p, data: services.problem_merge(problem=p, into=data["code"], by=by),  # type: ignore[arg-type]
        )

    @admin.action(description=_("Print cards for residents"))
    def print_cards(self, request: HttpRequest, queryset: QuerySet[Problem]) -> HttpResponse:
        codes = ",".join(queryset.values_list("code", flat=True)[:64])
        return HttpResponseRedirect(reverse("needs:cards") + f"?kody={codes}")


@admin.register(Referral)
class ReferralAdmin(RowActionsMixin, LargeTableAdminMixin, PIIGuardAdminMixin, SimpleHistoryAdmin):
    """Referrals are created by the "forward" action on problems, so they get a timeline event."""

    done_message = _("Done for %(n)s referrals.")
    action_related = ("problem", "institution")

    list_filter = ("institution", "outcome", "channel")
    list_select_related = ("problem__category", "institution")
    search_fields = ("problem__code",)
    autocomplete_fields = ("problem", "institution")
    readonly_fields = ("problem", "institution", "sent_on", "due_on", "closed_on", "created_by", "residents")
    list_display = ("problem", "institution", "residents", "channel", "sent_on", "due_on", "answered_on", "outcome")
    actions = ["withdraw", "redirect"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("residents who reported it"))
    def residents(self, obj: Referral) -> int:
        return obj.problem.supporters

    @admin.action(description=_("Withdraw (no longer wait for an answer)"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Referral]) -> HttpResponse | None:
        by = request.user
        return self._with_form(
            request,
            queryset,
            WithdrawForm(self._bound(request)),
            _("Withdraw the referral"),
            lambda r, data: services.referral_withdraw(referral=r, by=by, reason=data["reason"]),  # type: ignore[arg-type]
        )

    @admin.action(description=_("Not their responsibility: forward elsewhere"))
    def redirect(self, request: HttpRequest, queryset: QuerySet[Referral]) -> HttpResponse | None:
        by = request.user
        return self._with_form(
            request,
            queryset,
            RedirectForm(self._bound(request)),
            _("Not their responsibility: forward elsewhere"),
            lambda r, data: services.referral_redirect(
                referral=r,
                to=data["to"],
                by=by,  # type: ignore[arg-type]
                channel=data["channel"],
                answer=data["answer"],
            ),
        )


@admin.register(PublicText)
class PublicTextAdmin(PIIGuardAdminMixin, admin.ModelAdmin):
    """The wordings residents read; every key has a row (made on first visit) to reword."""

    list_display = ("meaning", "text")
    fields = ("meaning", "text")
    readonly_fields = ("meaning",)

    @admin.display(description=_("when it is used"))
    def meaning(self, obj: PublicText) -> str:
        return texts.label(obj.key)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        texts.ensure_rows()
        return super().changelist_view(request, extra_context)
