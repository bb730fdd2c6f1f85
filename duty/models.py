from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ClientWrite
from core.pii import NoPII


class Place(models.Model):
    """A spot where the coffee bike stands."""

    class Kind(models.TextChoices):
        COURTYARD = "courtyard", _("courtyard of a familok")
        BENCH = "bench", _("bench")
        SHOP = "shop", _("shop")
        PARK = "park", _("park")
        PLAYGROUND = "playground", _("playground")
        CLUB = "club", _("in front of the Club")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=120, unique=True, validators=[NoPII(addresses=True)])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    district = models.CharField(_("district"), max_length=120, blank=True, validators=[NoPII(addresses=True)])
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("description"), blank=True, validators=[NoPII(addresses=True)])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ShiftQuerySet(models.QuerySet["Shift"]):
    def visible_to(self, user: Any) -> "ShiftQuerySet":
        """Coordinators see every shift; an assistant sees the shifts they work on (alone or shared)."""
        from core.roles import is_coordinator

        if is_coordinator(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(assistants=user)


class Shift(ClientWrite):
    """A duty shift (dyżur): the bike at one place for a time window."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        STARTED = "started", _("in progress")
        ENDED = "ended", _("ended")
        CANCELLED = "cancelled", _("cancelled")

    class Weather(models.TextChoices):
        SUNNY = "sunny", _("sunny")
        CLOUDY = "cloudy", _("cloudy")
        RAIN = "rain", _("rain")
        COLD = "cold", _("cold")
        HOT = "hot", _("hot")
        SNOW = "snow", _("snow")

    # Counter name -> the field that holds it; the API speaks these names.
    COUNTERS = ("onlookers", "coffee", "snacks", "children", "adults", "first_time", "returning")

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("place"))
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    assistants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shifts", verbose_name=_("assistants")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    weather = models.CharField(_("weather"), max_length=12, choices=Weather.choices, blank=True)
    touchpoints = models.JSONField(_("touchpoints used"), default=list, blank=True)
    summary = models.TextField(_("summary of observations"), blank=True, validators=[NoPII()])
    onlookers = models.PositiveIntegerField(
        _("watched without talking"),
        default=0,
        help_text=_("People who looked at the bike or came near but did not talk (discovering the service)."),
    )
    coffee = models.PositiveIntegerField(_("coffee and tea served"), default=0)
    snacks = models.PositiveIntegerField(_("snacks"), default=0)
    children = models.PositiveIntegerField(_("children at animations"), default=0)
    adults = models.PositiveIntegerField(_("adults talked to"), default=0)
    # The one "first contact" of the service: people met for the first time on this shift. A note
    # about such a conversation has the journey stage "first contact".
    first_time = models.PositiveIntegerField(_("first contact (new residents)"), default=0)
    returning = models.PositiveIntegerField(_("returning residents"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[assistants])

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["-planned_start"]
        indexes = [models.Index(fields=["planned_start"]), models.Index(fields=["status", "started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gt=models.F("planned_start")), name="shift_end_after_start"
            )
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.planned_start)
        return f"{self.place} · {start:%Y-%m-%d %H:%M}"


class Touchpoint(models.TextChoices):
    BIKE = "bike", _("bike")
    COFFEE = "coffee", _("coffee")
    ANIMATIONS = "animations", _("animations")
    ASSISTANT = "assistant", _("assistant")
    CLUB_OFFER = "club_offer", _("the Club's offer")
    CONTACT_BOX = "contact_box", _("contact box")


class CounterTap(ClientWrite):
    """One tap on a counter. The shift's counter field is the sum of its taps."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="taps", verbose_name=_("shift"))
    counter = models.CharField(_("counter"), max_length=20, choices=[(c, c) for c in Shift.COUNTERS])
    delta = models.SmallIntegerField(_("change"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )

    class Meta:
        verbose_name = _("counter tap")
        verbose_name_plural = _("counter taps")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.counter} {self.delta:+d}"


class NoteQuerySet(models.QuerySet["ConversationNote"]):
    def visible_to(self, user: Any) -> "NoteQuerySet":
        """Coordinators: all notes. An assistant: notes of the shifts they work on, and contact-box
        notes they transcribed themselves. Nobody else: none."""
        from core.roles import is_coordinator

        if is_coordinator(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        mine = Shift.objects.filter(assistants=user).values("pk")
        return self.filter(Q(shift_id__in=mine) | Q(shift__isnull=True, created_by=user))


class ConversationNote(ClientWrite):
    """An anonymous note of a conversation. There is deliberately no field for a name or contact."""

    class Stage(models.TextChoices):
        DISCOVERY = "discovery", _("Discovering")
        FIRST_CONTACT = "first_contact", _("First contact")
        USING = "using", _("Using the service")
        SHARING = "sharing", _("Sharing")

    class AgeBand(models.TextChoices):
        CHILD = "child", _("child")
        YOUTH = "youth", _("youth")
        ADULT = "adult", _("adult")
        SENIOR = "senior", _("senior")
        UNKNOWN = "unknown", _("unknown")

    class Source(models.TextChoices):
        SHIFT = "shift", _("conversation on a shift")
        CONTACT_BOX = "contact_box", _("contact box")

    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, null=True, blank=True, related_name="notes", verbose_name=_("shift")
    )
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="notes", verbose_name=_("place"))
    date = models.DateField(_("date"), default=timezone.localdate)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.SHIFT)
    needs = models.ManyToManyField("needs.Need", blank=True, related_name="notes", verbose_name=_("needs"))
    stage = models.CharField(_("journey stage"), max_length=20, choices=Stage.choices, default=Stage.FIRST_CONTACT)
    touchpoint = models.CharField(_("touchpoint"), max_length=20, choices=Touchpoint.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    text = models.TextField(_("note"), max_length=2000, blank=True, validators=[NoPII()])
    wants_follow_up = models.BooleanField(_("wants follow-up"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    text_changed_at = models.DateTimeField(
        _("text last changed"), null=True, blank=True, editable=False, help_text=_("History records when, not what.")
    )
    # The history keeps who changed what when, but never the words of a note.
    history = HistoricalRecords(m2m_fields=[needs], excluded_fields=["text"])

    objects = NoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation note")
        verbose_name_plural = _("conversation notes")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["date"]),
            models.Index(fields=["stage"]),
            # Newest first: the admin's list, the API and the duty page read these in index order.
            models.Index(fields=["created_at", "id"], name="duty_note_created_idx"),
            models.Index(fields=["shift", "created_at"], name="duty_note_shift_created_idx"),
            models.Index(fields=["place", "created_at"], name="duty_note_place_created_idx"),
            models.Index(
                fields=["created_at"], condition=models.Q(wants_follow_up=True), name="duty_note_follow_up_idx"
            ),
            models.Index(
                fields=["created_at"], condition=models.Q(source="contact_box"), name="duty_note_contact_box_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} · {self.date} · {self.get_stage_display()}"

    _saved_text: str | None = None  # the text as loaded, to tell an edit of the words from other edits

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> "ConversationNote":
        note = super().from_db(db, field_names, values, **kwargs)
        note._saved_text = note.__dict__.get("text")
        return note

    def save(self, *args: Any, **kwargs: Any) -> None:
        saved = self._saved_text
        if self.pk and saved is not None and self.text != saved:
            self.text_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "text_changed_at" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "text_changed_at"]
        super().save(*args, **kwargs)
        self._saved_text = self.text
