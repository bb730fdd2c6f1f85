"""Problem pages for the team, the residents' public status page, and the printable QR cards."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import ratelimit
from core.admin import EstimatedCountPaginator
from core.decorators import role_required
from core.idempotency import IdempotencyConflict
from core.qr import qr_svg
from core.query import query_id
from core.ratelimit import public_rate_limited
from core.redirects import redirect_back
from core.roles import ASSISTANT, COORDINATOR
from core.types import AuthedRequest

from . import publication, selectors, services, texts
from .forms import CodeForm, ProblemForm, SupportForm, ToldForm
from .models import Problem, ProblemCategory

field_workers = role_required(ASSISTANT, COORDINATOR)
# "Nadal nie działa" presses one address may send in an hour (on top of the public look-up limit).
STILL_BROKEN_PER_HOUR = 5


def public_status_text(problem: Problem) -> str:
    return texts.status_text(problem)


def public_url(problem: Problem) -> str:
    return settings.SITE_URL + reverse("needs:public_status", args=[problem.code])


def _problem_for(request: AuthedRequest, code: str) -> Problem:
    return get_object_or_404(selectors.problems_visible_to(request.user), code=services.normalize_code(code))


@field_workers
def problem_list(request: AuthedRequest) -> HttpResponse:
    qs = selectors.with_overdue(selectors.problems_visible_to(request.user)).order_by("-reported_at")
    status = request.GET.get("status")
    if status in Problem.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("kategoria"):
        qs = qs.filter(category__code=request.GET["kategoria"])
    if place_id := query_id(request.GET, "miejsce"):
        qs = qs.filter(place_id=place_id)
    if request.GET.get("zalegle"):
        qs = qs.filter(is_overdue=True)  # type: ignore[misc]
    if request.GET.get("niepoinformowani"):
        qs = qs.untold()  # type: ignore[attr-defined]
    if request.GET.get("do-przekazania"):
        qs = qs.for_coordinator_to_pass_on()  # type: ignore[attr-defined]
    # A city's problems are counted up to a cap (then estimated): the list never reads the table whole.
    page = EstimatedCountPaginator(qs, 30).get_page(request.GET.get("strona"))
    return render(
        request,
        "needs/problem_list.html",
        {
            "page": page,
            "statuses": Problem.Status.choices,
            "categories": ProblemCategory.objects.filter(active=True),
            "current": {**request.GET.dict(), "do_przekazania": request.GET.get("do-przekazania")},
        },
    )


def _report(
    request: AuthedRequest, form: ProblemForm, *, note: Any = None
) -> tuple[HttpResponse | None, list[Problem]]:
    """Save the report, unless open problems like it exist and the assistant has not seen them yet."""
    if not form.is_valid():
        return None, []
    data = form.cleaned_data
    place = data["place"] or (note.place if note else None)
    if not data.get("new_anyway"):
        similar = selectors.problems_similar(
            category=data["category"],
            place=place,
            lat=data["lat"],
            lon=data["lon"],
            within=selectors.problems_visible_to(request.user),
        )
        if similar:
            return None, similar
    try:
        problem, _created = services.problem_report(
            category=data["category"],
            description=data["description"],
            by=request.user,
            place=data["place"],
            note=note,
            location=data["location"],
            lat=data["lat"],
            lon=data["lon"],
            source=Problem.Source.NOTE if note else Problem.Source.COORDINATOR,
            client_uuid=data.get("client_uuid"),
        )
    except IdempotencyConflict:
        form.add_error(None, _("This report was already sent with different content."))
        return None, []
    except ValidationError as error:
        form.add_error("description", error)
        return None, []
    messages.success(request, _("Problem recorded. Its code is %(code)s.") % {"code": problem.code})
    return redirect("needs:problem_detail", code=problem.code), []


def _form_page(request: AuthedRequest, form: ProblemForm, similar: list[Problem], note: Any = None) -> HttpResponse:
    return render(
        request,
        "needs/problem_form.html",
        {
            "form": form,
            "note": note,
            "similar": similar,
            "support_uuid": _uuid(),
            "locate_strings": _locate_strings(),
        },
    )


@field_workers
def problem_create(request: AuthedRequest) -> HttpResponse:
    form = ProblemForm(request.POST or None, initial={"client_uuid": _uuid()})
    similar: list[Problem] = []
    if request.method == "POST":
        done, similar = _report(request, form)
        if done:
            return done
    return _form_page(request, form, similar)


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def _notes_visible_to(request: AuthedRequest) -> Any:
    # needs does not import duty (duty imports needs); the note model is looked up by name.
    return apps.get_model("duty", "ConversationNote").objects.visible_to(request.user)


@field_workers
def problem_from_note(request: AuthedRequest, note_id: int) -> HttpResponse:
    """One tap from a conversation note: place and text already filled in."""
    note = get_object_or_404(_notes_visible_to(request).select_related("place"), pk=note_id)
    initial = {"place": note.place_id, "description": note.text, "client_uuid": _uuid()}
    form = ProblemForm(request.POST or None, initial=initial)
    similar: list[Problem] = []
    if request.method == "POST":
        done, similar = _report(request, form, note=note)
        if done:
            return done
    return _form_page(request, form, similar, note)


def _locate_strings() -> dict[str, str]:
    return {
        "locating": _("Looking for your location…"),
        "done": _("Location added."),
        "failed": _("Your location is not available; describe the place in words."),
    }


@field_workers
def problem_detail(request: AuthedRequest, code: str) -> HttpResponse:
    problem = _problem_for(request, code)
    events = problem.events.select_related("by", "referral__institution").order_by("at", "pk")
    referrals = problem.referrals.select_related("institution")
    # Back to the shift in one tap: the note this report (or this voice) came from.
    note = problem.note
    if request.GET.get("notatka", "").isdigit():
        note = _notes_visible_to(request).filter(pk=int(request.GET["notatka"])).first() or note
    shift = getattr(note, "shift", None)
    return render(
        request,
        "needs/problem_detail.html",
        {
            "problem": problem,
            "events": events,
            "referrals": referrals,
            "told_form": ToldForm(),
            "status_text": public_status_text(problem),
            "public_url": public_url(problem),
            "shift": shift,
        },
    )


@field_workers
@require_POST
def problem_support(request: AuthedRequest, code: str) -> HttpResponse:
    """ "Ktoś już to zgłosił": this resident's voice is added to the problem; its code is handed over."""
    problem = _problem_for(request, code)
    form = SupportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The voice could not be added; try again."))
        return redirect("needs:problem_detail", code=problem.code)
    note = None
    if form.cleaned_data.get("note"):
        note = _notes_visible_to(request).filter(pk=form.cleaned_data["note"]).first()
    try:
        problem, _created = services.problem_support(
            problem=problem, by=request.user, client_uuid=form.cleaned_data["client_uuid"], note=note
        )
    except (ValidationError, IdempotencyConflict) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("This was already sent.")])))
        return redirect("needs:problem_detail", code=problem.code)
    messages.success(
        request,
        _("Voice added: %(n)s residents reported %(code)s. Hand over this code.")
        % {"n": problem.supporters, "code": problem.code},
    )
    url = reverse("needs:problem_detail", args=[problem.code])
    return redirect(f"{url}?notatka={note.pk}" if note else url)


@field_workers
@require_POST
def problem_fix_check(request: AuthedRequest, code: str) -> HttpResponse:
    """ "Zapytaj, czy naprawione": one tap yes (recorded) or no (the problem is reopened)."""
    problem = _problem_for(request, code)
    holds = request.POST.get("holds")
    if holds not in ("yes", "no"):
        return HttpResponse(_("Choose yes or no."), status=400)
    try:
        services.problem_fix_check(problem=problem, by=request.user, holds=holds == "yes")
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=409)
    text = (_("Noted: %(code)s still works.") if holds == "yes" else _("Noted: %(code)s is open again.")) % {
        "code": problem.code
    }
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(format_html('<div class="alert alert-success py-2" role="status">{}</div>', text))
    messages.success(request, text)
    return redirect_back(request, request.POST.get("next"), reverse("duty:home"))


@field_workers
@require_POST
def problem_told(request: AuthedRequest, code: str) -> HttpResponse:
    """One tap: residents here heard the news."""
    problem = _problem_for(request, code)
    form = ToldForm(request.POST)
    if form.is_valid():
        services.problem_feedback_told(problem=problem, by=request.user, note=form.cleaned_data["note"])
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "needs/partials/told_done.html", {"problem": problem})
        messages.success(request, _("Noted: residents were told about %(code)s.") % {"code": problem.code})
    elif request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(" ".join(str(e) for e in form.errors.get("note", [])), status=400)
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("note", [])))
    return redirect_back(request, request.POST.get("next"), reverse("needs:problem_detail", args=[problem.code]))


@field_workers
def card(request: AuthedRequest, code: str) -> HttpResponse:
    problem = _problem_for(request, code)
    return render(request, "needs/cards.html", {"cards": [_card(problem)], "single": True})


@field_workers
def cards(request: AuthedRequest) -> HttpResponse:
    """Several cards on an A4 sheet (2 × 4), to cut and hand over with the coffee."""
    codes = [services.normalize_code(c) for c in request.GET.get("kody", "").split(",") if c.strip()][:64]
    problems = selectors.problems_visible_to(request.user).filter(code__in=codes).order_by("code")
    return render(request, "needs/cards.html", {"cards": [_card(p) for p in problems]})


def _card(problem: Problem) -> dict[str, Any]:
    url = public_url(problem)
    return {"problem": problem, "url": url, "qr": qr_svg(url)}


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "needs/public_rate_limited.html", status=429)


@public_rate_limited(_too_many)
def public_lookup(request: HttpRequest) -> HttpResponse:
    """/z/: a resident types the code from the card."""
    form = CodeForm(request.GET or None)
    if form.is_valid():
        return redirect("needs:public_status", code=services.normalize_code(form.cleaned_data["code"]))
    return render(request, "needs/public_lookup.html", {"form": form})


@public_rate_limited(_too_many)
def public_status(request: HttpRequest, code: str) -> HttpResponse:
    """What happened to a problem, for residents: no login, no names, no internal notes."""
    normalized = services.normalize_code(code)
    if normalized and normalized != code:
        return redirect("needs:public_status", code=normalized)
    problem = (
        Problem.objects.select_related("category", "place", "duplicate_of").filter(code=normalized).first()
        if normalized
        else None
    )
    if problem is None:
        return render(
            request, "needs/public_not_found.html", {"form": CodeForm(initial={"code": code}), "code": code}, status=404
        )
    # A merged code shows the status of the problem it was merged into.
    original = selectors.original_of(problem)
    return render(
        request,
        "needs/public_status.html",
        {
            "problem": problem,
            "shows_text": publication.shows_text(problem),
            "timeline": selectors.public_timeline(problem) if publication.shows_text(problem) else [],
            "status_text": public_status_text(original),
            "original": original if original.pk != problem.pk else None,
            "expected": selectors.expected_answer(original) if not original.is_settled else None,
            "still_broken_offered": problem.status == Problem.Status.RESOLVED and problem.still_broken_since is None,
            "still_broken_sent": request.GET.get("dziekujemy") == "1",
        },
    )


@require_POST
@public_rate_limited(_too_many)
def public_still_broken(request: HttpRequest, code: str) -> HttpResponse:
    """ "Nadal nie działa" on the status page of a resolved problem: anonymous, limited per address.

    It lands on the coordinator's list (Problem.objects.still_broken()); nothing about the resident is kept.
    """
    if not ratelimit.allow(
        f"still-broken:{ratelimit.client_address(request)}", limit=STILL_BROKEN_PER_HOUR, window=3600
    ):
        return _too_many(request)
    problem = get_object_or_404(Problem, code=services.normalize_code(code))
    try:
        services.problem_still_broken(problem=problem)
    except ValidationError:
        return redirect("needs:public_status", code=problem.code)
    return redirect(reverse("needs:public_status", args=[problem.code]) + "?dziekujemy=1")
