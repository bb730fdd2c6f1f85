"""The Club's public schedule, calendar feed and poster, and the club staff's pages."""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from core.decorators import role_required
from core.qr import qr_svg
from core.query import query_date
from core.roles import CLUB, COORDINATOR, is_coordinator
from core.types import AuthedRequest

from . import feedcache, selectors, services
from .forms import ActivityForm, AttendanceForm, CancelForm, MoveForm
from .models import Activity, Session

club_staff = role_required(CLUB, COORDINATOR)
SCHEDULE_DAYS = 14  # /klub/ shows today and this many days ahead
FEED_PAST_DAYS = 7
FEED_FUTURE_DAYS = 182


def _monday(params: Any, name: str) -> date:
    """The Monday of the week asked for in ``?od=``/``?tydzien=``; an unusable date is a 400."""
    return selectors.week_start(query_date(params, name) or timezone.localdate())


@require_GET
def schedule(request: HttpRequest) -> HttpResponse:
    """For residents, no login: the public sessions of today and the next 14 days."""
    today = timezone.localdate()
    sessions = selectors.sessions_between(today, today + timedelta(days=SCHEDULE_DAYS + 1), public_only=True)
    feed = request.build_absolute_uri(reverse("club:calendar"))
    return render(
        request,
        "club/schedule.html",
        {
            "days": selectors.by_day(sessions),
            "today": today,
            "subscribe_url": "webcal://" + feed.split("://", 1)[1],
            "next_monday": selectors.week_start(today) + timedelta(days=7),
        },
    )


def _vtimezone() -> Timezone:
    tz = Timezone()
    tz.add("tzid", "Europe/Warsaw")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("dtstart", datetime(1996, 3, 31, 2, 0))  # noqa: DTZ001 - floating local time, per RFC 5545
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("dtstart", datetime(1996, 10, 27, 3, 0))  # noqa: DTZ001 - floating local time, per RFC 5545
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def calendar_bytes() -> bytes:
    """The feed: the last FEED_PAST_DAYS days (so a change of last week still reaches the phone)
    and what is ahead, up to FEED_FUTURE_DAYS."""
    today = timezone.localdate()
    sessions = selectors.sessions_between(
        today - timedelta(days=FEED_PAST_DAYS), today + timedelta(days=FEED_FUTURE_DAYS), public_only=True
    )
    cal = Calendar()
    cal.add("prodid", "-//Mobilny Asystent//Klub Mieszkanca//PL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Residents' Club"))
    cal.add("x-wr-timezone", "Europe/Warsaw")
    cal.add_component(_vtimezone())
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0] or "mobilny-asystent"
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("dtstamp", session.activity.created_at)
        event.add("dtstart", timezone.localtime(session.starts_at, services.WARSAW))
        event.add("dtend", timezone.localtime(session.ends_at, services.WARSAW))
        event.add("summary", session.activity.title)
        event.add("location", session.room.name)
        description = session.activity.description
        if session.cancelled:
            description = f"{_('Cancelled')}: {session.cancel_reason}\n\n{description}".strip()
        event.add("description", description)
        event.add("sequence", session.sequence)
        event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
        event.add("url", settings.SITE_URL + reverse("club:schedule"))
        cal.add_component(event)
    return cal.to_ical()


@require_GET
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """An RFC 5545 calendar a phone can subscribe to, built once per schedule version and day.

    Unchanged feeds answer 304 from the version alone; otherwise the cached bytes are served.
    """
    version, today, language = feedcache.schedule_version(), timezone.localdate(), get_language()
    etag = f'"{version:x}-{today:%Y%m%d}-{language}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    key = f"club:ical:{version}:{today:%Y%m%d}:{language}"
    body = cache.get(key)
    if body is None:
        body = calendar_bytes()
        cache.set(key, body, 60 * 60 * 24)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=900"
    response["Content-Disposition"] = 'inline; filename="klub-mieszkanca.ics"'
    return response


@require_GET
def poster(request: HttpRequest) -> HttpResponse:
    """A printable A4 weekly poster with a QR code to the schedule, for the coffee bike: this week
    (``?tydzien=ten``) or the next (``?tydzien=nastepny``); from Saturday on, the next by default."""
    this_monday = selectors.week_start(timezone.localdate())
    next_monday = this_monday + timedelta(days=7)
    choice = request.GET.get("tydzien")
    if choice == "ten":
        monday = this_monday
    elif choice == "nastepny":
        monday = next_monday
    elif choice:
        monday = _monday(request.GET, "tydzien")
    else:
        monday = next_monday if timezone.localdate().weekday() >= 5 else this_monday
    sessions = selectors.sessions_between(monday, monday + timedelta(days=7), public_only=True).filter(cancelled=False)
    url = settings.SITE_URL + reverse("club:schedule")
    return render(
        request,
        "club/poster.html",
        {
            "days": selectors.by_day(sessions),
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "qr": qr_svg(url),
            "url": url,
            "this_monday": this_monday,
            "next_monday": next_monday,
        },
    )


@club_staff
def staff_home(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    monday = selectors.week_start(today)
    week = selectors.sessions_between(monday, monday + timedelta(days=7))
    todays = [s for s in week if timezone.localdate(s.starts_at) == today]
    missing = selectors.sessions_between(today - timedelta(days=14), today + timedelta(days=1)).filter(
        cancelled=False, attendance_recorded_at__isnull=True, ends_at__lt=timezone.now()
    )
    return render(
        request,
        "club/staff_home.html",
        {
            "today": today,
            "todays": todays,
            "days": selectors.by_day(week),
            "missing": missing,
            "activities": Activity.objects.select_related("room").order_by("title")[:100],
            "now": timezone.now(),
            "can_correct": is_coordinator(request.user),
        },
    )


@club_staff
def rooms_week(request: AuthedRequest) -> HttpResponse:
    monday = _monday(request.GET, "od")
    days, rows = selectors.rooms_grid(monday)
    return render(
        request,
        "club/rooms_week.html",
        {
            "days": days,
            "rows": rows,
            "monday": monday,
            "prev": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "today": timezone.localdate(),
        },
    )


def _activity_fields(form: ActivityForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in ActivityForm.Meta.fields}


@club_staff
def activity_create(request: AuthedRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None, initial={"starts_on": timezone.localdate(), "every_n_weeks": 1})
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(by=request.user, **_activity_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Saved: %(title)s, %(n)s sessions.") % {"title": activity.title, "n": activity.sessions.count()},
            )
            return redirect("club:staff_home")
    return render(request, "club/activity_form.html", {"form": form})


@club_staff
def activity_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity, pk=pk)
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.activity_update_series(activity=activity, **_activity_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            text = _("Series updated: %(updated)s future sessions changed, %(created)s added, %(removed)s removed.") % {
                "updated": change.updated,
                "created": change.created,
                "removed": change.removed,
            }
            if change.kept_with_attendance:
                text += " " + _("%(n)s future sessions with attendance were kept as they were.") % {
                    "n": change.kept_with_attendance
                }
            messages.success(request, text)
            return redirect("club:staff_home")
    return render(request, "club/activity_form.html", {"form": form, "activity": activity})


def _session(pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("activity", "room"), pk=pk)


@club_staff
def session_attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    form = AttendanceForm.for_session(session, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_record_attendance(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(None if field == "__all__" else field, errors)
        else:
            messages.success(request, _("Attendance saved: %(title)s.") % {"title": session.activity.title})
            return redirect("club:staff_home")
    return render(request, "club/attendance.html", {"session": session, "form": form})


def _past_session_page(request: AuthedRequest, session: Session, action: str) -> HttpResponse | None:
    """A session that has begun is read-only for club staff (its attendance excepted); a coordinator
    corrects it with a reason. None: go on with the form."""
    if not session.has_started() or is_coordinator(request.user):
        return None
    return render(request, "club/session_action.html", {"session": session, "form": None, "action": action}, status=403)


@club_staff
def session_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    if (refused := _past_session_page(request, session, "cancel")) is not None:
        return refused
    form = CancelForm(request.POST or None, correcting=session.has_started())
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(
                session=session,
                reason=form.cleaned_data["reason"],
                by=request.user,
                correction_reason=form.cleaned_data.get("correction_reason", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session cancelled."))
            return redirect("club:staff_home")
    return render(request, "club/session_action.html", {"session": session, "form": form, "action": "cancel"})


@club_staff
def session_move(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    if (refused := _past_session_page(request, session, "move")) is not None:
        return refused
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    form = MoveForm(
        request.POST or None,
        initial={"day": start.date(), "start": start.time(), "end": end.time(), "room": session.room_id},
        correcting=session.has_started(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_move(
                session=session,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                room=form.cleaned_data["room"],
                by=request.user,
                correction_reason=form.cleaned_data.get("correction_reason", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session moved."))
            return redirect("club:staff_home")
    return render(request, "club/session_action.html", {"session": session, "form": form, "action": "move"})
