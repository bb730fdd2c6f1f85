"""The assistant's duty screen, shift lists, the contact box and the coordinator's week plan.

The live shift's forms work without JavaScript (each POST carries a client id, so a repeated
submit is harmless); duty/static/duty/shift.js sends the same writes through the JSON API and
the offline queue instead.
"""

import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.decorators import role_required
from core.idempotency import IdempotencyConflict
from core.query import InvalidInput, query_date, query_float, week_start
from core.redirects import redirect_back
from core.roles import ASSISTANT, COORDINATOR
from core.types import AuthedRequest

from . import selectors, services
from .forms import AdHocShiftForm, ContactBoxNoteForm, EndShiftForm, NoteForm, PlanShiftForm
from .models import ConversationNote, Place, Shift

COUNTER_LABELS = {field.name: field.verbose_name for field in Shift._meta.fields if field.name in Shift.COUNTERS}
field_workers = role_required(ASSISTANT, COORDINATOR)
coordinators = role_required(COORDINATOR)


def ui_strings() -> dict[str, str]:
    """Texts the phone's script shows, translated here (no language is written in the script)."""
    return {
        "not_sent": _("not sent"),
        "refused": _("The server did not accept this."),
        "conflict": _("This was already sent with different content."),
        "draft_waiting": _(
            "A note was not accepted and waits on its own card. Finish or clear the note you are writing, "
            "then tap Edit on that card."
        ),
        "offline": _("No connection. Try again in a moment."),
        "close": _("Close"),
        "start": _("Start the shift"),
        "end": _("End the shift"),
        "note": _("Note"),
        "report_problem": _("Report a problem"),
        "report_url": reverse("needs:problem_from_note", args=[0]),
        "locating": _("Looking for your location…"),
        "nearest": _("Nearest: %(place)s (%(metres)s m)"),
        "no_location": _("Your location is not available. Choose the place from the list."),
    }


def _shift_for(request: AuthedRequest, pk: int) -> Shift:
    """The shift, if this user may see it; 404 otherwise (never reveal that it exists)."""
    return get_object_or_404(selectors.shifts_visible_to(request.user), pk=pk)


# The duty screen shows the latest notes of the shift; the rest are a tap away ("Więcej notatek").
NOTES_SHOWN = 20
NOTES_PAGE = 50


def _shift_notes(shift: Shift) -> Any:
    return (
        ConversationNote.objects.filter(shift=shift)
        .select_related("place")
        .prefetch_related("needs", "problems", "problem_supports__problem")
        .order_by("-created_at", "-pk")
    )


def _live_context(request: AuthedRequest, shift: Shift, **overrides: Any) -> dict[str, Any]:
    latest = list(_shift_notes(shift)[: NOTES_SHOWN + 1])
    context = {
        "shift": shift,
        "counters": [(name, COUNTER_LABELS[name], getattr(shift, name)) for name in Shift.COUNTERS],
        "notes": latest[:NOTES_SHOWN],
        "more_notes": len(latest) > NOTES_SHOWN,
        "note_form": NoteForm(),
        "end_form": EndShiftForm(initial={"weather": shift.weather, "touchpoints": shift.touchpoints}),
        "ui_strings": ui_strings(),
    }
    context.update(overrides)
    return context


@field_workers
def home(request: AuthedRequest) -> HttpResponse:
    """ "Mój dyżur": the shift on now, or today's or the next one, or a way to start one."""
    shift = selectors.current_shift_for(request.user)
    if shift is None:
        return _render_idle(request, AdHocShiftForm())
    return render(request, "duty/home.html", _live_context(request, shift, note_open=bool(request.GET.get("notatka"))))


def _render_idle(request: AuthedRequest, adhoc_form: AdHocShiftForm) -> HttpResponse:
    """No shift to start now: when and where the next one is, and a start here and now."""
    upcoming = list(selectors.next_shifts_for(request.user))
    return render(
        request,
        "duty/home_idle.html",
        {
            "adhoc_form": adhoc_form,
            "next_shift": upcoming[0] if upcoming else None,
            "next_start_from": upcoming[0].planned_start - selectors.start_lead() if upcoming else None,
            "upcoming": upcoming[1:],
            "ended_today": selectors.ended_today_for(request.user),
            "places_json": selectors.places_for_geolocation(),
            "ui_strings": ui_strings(),
        },
    )


@field_workers
@require_POST
def shift_adhoc(request: AuthedRequest) -> HttpResponse:
    form = AdHocShiftForm(request.POST)
    if not form.is_valid():
        return _render_idle(request, form)
    try:
        shift, _created = services.shift_start_adhoc(
            place=form.cleaned_data["place"],
            hours=form.cleaned_data["hours"],
            by=request.user,
            client_uuid=form.cleaned_data["client_uuid"],
        )
    except IdempotencyConflict:
        messages.error(request, _("This was already sent with different content."))
        return redirect("duty:home")
    messages.success(request, _("Shift started at %(place)s.") % {"place": shift.place})
    return redirect("duty:home")


@field_workers
@require_POST
def shift_start(request: AuthedRequest, pk: int) -> HttpResponse:
    shift = _shift_for(request, pk)
    try:
        services.shift_start(shift=shift, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect_back(request, request.POST.get("next"), reverse("duty:home"))


@field_workers
@require_POST
def shift_end(request: AuthedRequest, pk: int) -> HttpResponse:
    shift = _shift_for(request, pk)
    form = EndShiftForm(request.POST)
    if form.is_valid():
        try:
            services.shift_end(
                shift=shift,
                summary=form.cleaned_data["summary"],
                weather=form.cleaned_data["weather"],
                touchpoints=form.cleaned_data["touchpoints"],
            )
        except IdempotencyConflict:
            messages.error(request, _("This shift was already ended with a different summary."))
            return redirect("duty:shift_detail", pk=shift.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Shift ended. Thank you!"))
            return redirect("duty:shift_detail", pk=shift.pk)
    return render(request, "duty/home.html", _live_context(request, shift, end_form=form), status=200)


@field_workers
@require_POST
def shift_tap(request: AuthedRequest, pk: int) -> HttpResponse:
    shift = _shift_for(request, pk)
    try:
        delta = int(request.POST.get("delta", "0"))
        services.shift_tap_counter(
            shift=shift,
            counter=request.POST.get("counter", ""),
            delta=delta,
            client_uuid=request.POST.get("client_uuid") or "",
            by=request.user,
        )
    except (ValueError, ValidationError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else _("Invalid number.")
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(text, status=400)
        messages.error(request, text)
    except IdempotencyConflict:
        # The id already counted another tap (a page kept from before): this one did not count.
        text = _("This tap was not counted: the page was out of date. Tap again.")
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(text, status=409)
        messages.warning(request, text)
    if request.htmx:  # type: ignore[attr-defined]
        shift.refresh_from_db()
        return render(request, "duty/partials/counters.html", _live_context(request, shift))
    return redirect("duty:home")


def _renew_client_uuid(form: Any) -> None:
    """After a conflicting replay the form comes back as typed, with a new id: sending it again
    is then a deliberate new write, not the old one."""
    form.data = form.data.copy()
    form.data["client_uuid"] = str(uuid.uuid4())


def _save_note(request: AuthedRequest, form: NoteForm, **where: Any) -> bool:
    """Form → service. A refusal of the service lands on the form, so nothing typed is lost."""
    data = form.cleaned_data
    try:
        services.note_create(
            by=request.user,
            client_uuid=data["client_uuid"],
            **{name: data[name] for name in NoteForm.Meta.fields},
            **where,
        )
    except IdempotencyConflict:
        messages.error(request, _("This note was already sent with different content."))
        _renew_client_uuid(form)
        return False
    except ValidationError as error:
        form.add_error("text", error)
        return False
    return True


@field_workers
@require_POST
def note_create(request: AuthedRequest, pk: int) -> HttpResponse:
    shift = _shift_for(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid() and _save_note(request, form, shift=shift):
        messages.success(request, _("Note saved."))
        return redirect(reverse("duty:home") + "#notes")
    return render(request, "duty/home.html", _live_context(request, shift, note_form=form, note_open=True))


@field_workers
@require_POST
def shift_details(request: AuthedRequest, pk: int) -> HttpResponse:
    shift = _shift_for(request, pk)
    try:
        services.shift_set_details(
            shift=shift, weather=request.POST.get("weather"), touchpoints=request.POST.getlist("touchpoints")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("duty:home")


@field_workers
def shift_list(request: AuthedRequest) -> HttpResponse:
    qs = selectors.shifts_visible_to(request.user).order_by("-planned_start")
    if not selectors.is_coordinator(request.user) or request.GET.get("moje"):
        qs = qs.filter(assistants=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("strona"))
    return render(request, "duty/shift_list.html", {"page": page})


@field_workers
def shift_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A shift with all its notes, a page at a time."""
    shift = _shift_for(request, pk)
    page = Paginator(_shift_notes(shift), NOTES_PAGE).get_page(request.GET.get("strona"))
    return render(
        request,
        "duty/shift_detail.html",
        _live_context(request, shift, notes=page, page=page, thread=selectors.shift_thread(shift)),
    )


@field_workers
def contact_box(request: AuthedRequest) -> HttpResponse:
    """Transcribe notes residents dropped into the contact box: a date and a place, no shift."""
    form = ContactBoxNoteForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_note(request, form, place=form.cleaned_data["place"], date=form.cleaned_data["date"])
    ):
        messages.success(request, _("Note from the contact box saved."))
        return redirect("duty:contact_box")
    recent = selectors.notes_visible_to(request.user).filter(source=ConversationNote.Source.CONTACT_BOX)[:10]
    return render(request, "duty/contact_box.html", {"form": form, "recent": recent})


@field_workers
@require_GET
def nearest(request: AuthedRequest) -> JsonResponse:
    try:
        lat = query_float(request.GET, "lat", minimum=-90, maximum=90)
        lon = query_float(request.GET, "lon", minimum=-180, maximum=180)
    except InvalidInput:
        lat = lon = None
    if lat is None or lon is None:
        return JsonResponse({"error": _("Location not understood.")}, status=400)
    found = selectors.nearest_places(lat=lat, lon=lon)
    return JsonResponse({"places": [{"id": p.pk, "name": p.name, "metres": round(d)} for p, d in found]})


def _monday(value: str | None) -> date:
    """The Monday of ``value``'s week (``?od=``); an unusable date is the user's 400."""
    return week_start(query_date({"od": value}, "od", timezone.localdate()) or timezone.localdate())


@coordinators
def week(request: AuthedRequest) -> HttpResponse:
    """The coordinator's plan of where the bike goes this week."""
    monday = _monday(request.GET.get("od"))
    initial: dict[str, object] = {"day": max(monday, timezone.localdate())}
    place = request.GET.get("miejsce", "")
    if place.isdigit() and Place.objects.filter(pk=int(place), active=True).exists():
        initial["place"] = int(place)  # "Plan a duty" from where the bike is needed next
    form = PlanShiftForm(initial=initial)
    return _render_week(request, monday, form)


def _render_week(request: AuthedRequest, monday: date, form: PlanShiftForm, status: int = 200) -> HttpResponse:
    places, days, grid = selectors.week_plan(monday=monday)
    rows = [(place, [grid.get((place.pk, day), []) for day in days]) for place in places]
    return render(
        request,
        "duty/week.html",
        {
            "monday": monday,
            "days": days,
            "rows": rows,
            "form": form,
            "prev": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "today": timezone.localdate(),
        },
        status=status,
    )


@coordinators
@require_POST
def week_plan(request: AuthedRequest) -> HttpResponse:
    form = PlanShiftForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.shift_plan(
                place=data["place"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                assistants=data["assistants"],
                by=request.user,
                client_uuid=data["client_uuid"],
            )
        except IdempotencyConflict:
            form.add_error(None, _("This was already sent with different content."))
            _renew_client_uuid(form)
        else:
            messages.success(request, _("Shift planned."))
            return redirect(reverse("duty:week") + f"?od={_monday(data['day'].isoformat()).isoformat()}")
    monday = week_start(form.cleaned_data.get("day") or timezone.localdate())
    return _render_week(request, monday, form)


@coordinators
def shift_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift.objects.select_related("place"), pk=pk)
    if shift.status != Shift.Status.PLANNED:
        raise Http404
    form = PlanShiftForm(request.POST or None, initial=PlanShiftForm.initial_for(shift))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.shift_update(
            shift=shift,
            place=data["place"],
            planned_start=data["planned_start"],
            planned_end=data["planned_end"],
            assistants=data["assistants"],
        )
        messages.success(request, _("Shift updated."))
        return redirect(reverse("duty:week") + f"?od={_monday(data['day'].isoformat()).isoformat()}")
    return render(request, "duty/shift_edit.html", {"form": form, "shift": shift})


@coordinators
@require_POST
def shift_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift, pk=pk)
    try:
        services.shift_cancel(shift=shift)
        messages.success(request, _("Shift cancelled."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    monday = _monday(timezone.localdate(shift.planned_start).isoformat())
    return redirect(reverse("duty:week") + f"?od={monday.isoformat()}")
