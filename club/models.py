from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.pii import FirstNameOnly, NoPII


class Room(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True, validators=[NoPII(addresses=True)])
    capacity = models.PositiveSmallIntegerField(_("capacity"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """Something the Club offers, once or as a weekly series of sessions."""

    class Kind(models.TextChoices):
        ANIMATIONS = "animations", _("animations for children")
        HOBBY = "hobby", _("hobby classes")
        MEETING = "meeting", _("meeting")
        WORKSHOP = "workshop", _("workshop")
        OUTING = "outing", _("outing")
        SHOW_YOUR_SKILL = "show_your_skill", _("show your skill")

    class Audience(models.TextChoices):
        CHILDREN = "children", _("children")
        YOUTH = "youth", _("youth")
        ADULTS = "adults", _("adults")
        SENIORS = "seniors", _("seniors")
        ALL = "all", _("everyone")

    class Recurrence(models.TextChoices):
        ONCE = "once", _("single date")
        WEEKLY = "weekly", _("weekly")

    # What staff edit (on their page, in the admin and in imports).
    EDITABLE_FIELDS = (
        "title",
        "kind",
        "audience",
        "description",
        "room",
        "capacity",
        "leader_user",
        "leader_name",
        "public",
        "recurrence",
        "starts_on",
        "until",
        "weekdays",
        "every_n_weeks",
        "start_time",
        "end_time",
    )

    title = models.CharField(_("title"), max_length=160, validators=[NoPII(addresses=True)])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    leader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_activities",
        verbose_name=_("leader (staff)"),
    )
    leader_name = models.CharField(
        _("leader (partner or resident)"),
        max_length=40,
        blank=True,
        help_text=_("First name or nickname only."),
        validators=[FirstNameOnly()],
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="activities", verbose_name=_("room"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, validators=[NoPII(addresses=True)])
    public = models.BooleanField(_("public"), default=True, help_text=_("Shown on the public schedule and calendar."))
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE)
    starts_on = models.DateField(_("first date"))
    until = models.DateField(_("last date"), null=True, blank=True)
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True, help_text=_("0 = Monday … 6 = Sunday."))
    every_n_weeks = models.PositiveSmallIntegerField(_("every N weeks"), default=1)
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class SessionQuerySet(models.QuerySet["Session"]):
    """The one owner of "held": a session that took place (it ended and was not cancelled)."""

    def held(self, *, now: datetime | None = None) -> "SessionQuerySet":
        return self.filter(cancelled=False, ends_at__lte=now or timezone.now())


class Session(models.Model):
    """One occurrence of an activity; attendance is counted per session, never by name."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("activity")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("room"))
    leader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_sessions",
        verbose_name=_("leader (staff)"),
    )
    leader_name = models.CharField(
        _("leader (partner or resident)"),
        max_length=40,
        blank=True,
        help_text=_("First name or nickname only."),
        validators=[FirstNameOnly()],
    )
    detached = models.BooleanField(
        _("changed individually"), default=False, help_text=_("Edits of the series no longer change this session.")
    )
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancel_reason = models.CharField(_("reason (public)"), max_length=200, blank=True, validators=[NoPII()])
    moved_from = models.DateTimeField(_("originally at"), null=True, blank=True)
    sequence = models.PositiveIntegerField(
        _("revision"), default=0, editable=False, help_text=_("Raised on every change, so calendars update.")
    )
    children = models.PositiveSmallIntegerField(_("children"), null=True, blank=True)
    youth = models.PositiveSmallIntegerField(_("youth"), null=True, blank=True)
    adults = models.PositiveSmallIntegerField(_("adults"), null=True, blank=True)
    seniors = models.PositiveSmallIntegerField(_("seniors"), null=True, blank=True)
    first_time = models.PositiveSmallIntegerField(_("first-time visitors"), null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(_("attendance recorded at"), null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["room", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.starts_at:%Y-%m-%d %H:%M}"

    def has_started(self) -> bool:
        """A session that has begun is a record of what happened: club staff only count its attendance."""
        return self.starts_at <= timezone.now()
