import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ClientWrite
from core.pii import NoPII


class Need(models.Model):
    """A need or pain from the service blueprint; notes are tagged with these."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def active(self) -> "InstitutionQuerySet":
        return self.filter(active=True)


class Institution(models.Model):
    """A partner organisation: where problems are forwarded and who offers services.

    One list of organisations, never private persons. The ``bundles`` app builds services and
    bundles on top of it; referrals point here.
    """

    class Kind(models.TextChoices):
        # Codes shared with the institution kinds catalogue; public bodies keep their own kinds
        # (problem categories are routed by them), all of them "urząd" to a resident.
        OWES = "owes", _("Social economy support centre (OWES)")
        WELFARE = "welfare", _("Social welfare centre")
        CITY_OFFICE = "city_office", _("City office")
        HOUSING = "housing", _("Municipal housing administration")
        POLICE = "police", _("Police")
        CITY_GUARD = "city_guard", _("Municipal guard")
        GREENERY = "greenery", _("Municipal greenery service")
        HEALTH = "health", _("Health care")
        NGO = "ngo", _("Non-governmental organisation")
        SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise (PES)")
        BUSINESS = "business", _("Business")
        PARISH = "parish", _("Parish")
        SCHOOL = "school", _("School")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opening_hours = models.CharField(
        _("opening hours"), max_length=200, blank=True, help_text=_("E.g. “Mon–Fri 8:00–16:00”.")
    )
    public_phone = models.CharField(
        _("public phone"), max_length=40, blank=True, help_text=_("The organisation's own number, shown to residents.")
    )
    public_email = models.EmailField(_("public e-mail"), blank=True, help_text=_("Shown to residents."))
    website = models.URLField(_("website"), blank=True)
    contact = models.TextField(
        _("contact for referrals"), blank=True, help_text=_("Internal: which department, how to reach it.")
    )
    email = models.EmailField(_("e-mail for referrals"), blank=True)
    phone = models.CharField(_("phone for referrals"), max_length=40, blank=True)
    answer_days = models.PositiveSmallIntegerField(
        _("expected answer time (days)"), default=14, help_text=_("Used to set the due date of a referral.")
    )
    active = models.BooleanField(_("active"), default=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProblemCategory(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, validators=[NoPII(addresses=True)])
    description = models.TextField(_("description"), blank=True, validators=[NoPII(addresses=True)])
    institutions = models.ManyToManyField(
        Institution, blank=True, related_name="categories", verbose_name=_("usually handled by")
    )
    institution_kinds = models.JSONField(
        _("kinds of institution that usually handle it"),
        default=list,
        blank=True,
        help_text=_("Partner organisations of these kinds are suggested when a problem is forwarded."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    never_public = models.BooleanField(
        _("never public"),
        default=False,
        help_text=_(
            "E.g. safety, health, welfare: such problems are not listed in Open311 and their status page "
            "shows the status only."
        ),
    )

    class Meta:
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def usual_institutions(self) -> InstitutionQuerySet:
        """Active partners named for this category, or of a kind that usually handles it."""
        return (
            Institution.objects.active()
            .filter(Q(categories=self) | Q(kind__in=self.institution_kinds or []))
            .distinct()
        )


class ProblemQuerySet(models.QuerySet["Problem"]):
    """The one owner of what "open", "settled" and "untold" mean; every page, filter and report calls it."""

    def open(self) -> "ProblemQuerySet":
        return self.exclude(status__in=SETTLED_STATUSES)

    def settled(self) -> "ProblemQuerySet":
        return self.filter(status__in=SETTLED_STATUSES)

    def settled_between(self, start: datetime, end: datetime, *, merged: bool = False) -> "ProblemQuerySet":
        """Problems that became settled in [start, end) and still are (a reopened one no longer counts).

        Merged duplicates are left out unless asked for: they are one problem, counted once.
        """
        qs = self.settled().filter(settled_at__gte=start, settled_at__lt=end)
        return qs if merged else qs.exclude(status=Problem.Status.DUPLICATE)

    def untold(self, *, before: datetime | None = None) -> "ProblemQuerySet":
        """News residents have not heard yet (until told or waived); optionally only news older than ``before``."""
        qs = self.filter(untold_since__isnull=False)
        return qs if before is None else qs.filter(untold_since__lt=before)

    def placeless(self) -> "ProblemQuerySet":
        """No place to tell residents at: the coordinator's "do przekazania" list and the digest carry them."""
        return self.filter(place__isnull=True)

    def for_coordinator_to_pass_on(self) -> "ProblemQuerySet":
        """The coordinator's "do przekazania" list: untold news with no place to tell it at, and
        resolved problems a resident reported still broken."""
        return self.filter(Q(untold_since__isnull=False, place__isnull=True) | Q(still_broken_since__isnull=False))

    def fix_check_due(self, now: datetime) -> "ProblemQuerySet":
        """Resolved at least PROBLEM_FIX_CHECK_WEEKS ago and nobody has asked residents whether it holds."""
        weeks = getattr(settings, "PROBLEM_FIX_CHECK_WEEKS", 4)
        return self.filter(
            status=Problem.Status.RESOLVED,
            settled_at__lt=now - timedelta(weeks=weeks),
            fix_checked_at__isnull=True,
        )

    def still_broken(self) -> "ProblemQuerySet":
        """A resident said on the public page that it still does not work; waits for a coordinator."""
        return self.filter(still_broken_since__isnull=False)

    def with_overdue(self, today: date) -> "ProblemQuerySet":
        """Annotates ``is_overdue``: some referral of the problem is overdue (see ReferralQuerySet.overdue)."""
        # The same rule as ReferralQuerySet.overdue, with the problem's own status read from the row
        # at hand: one index probe per problem instead of a join over every unanswered referral.
        waiting = Referral.objects.filter(problem=models.OuterRef("pk"), answered_on__isnull=True, due_on__lt=today)
        overdue = Q(models.Exists(waiting)) & ~Q(status__in=SETTLED_STATUSES)
        return self.annotate(is_overdue=models.ExpressionWrapper(overdue, output_field=models.BooleanField()))

    def visible_to(self, user: Any) -> "ProblemQuerySet":
        """Coordinators: all. Assistants: problems at places where they work, and their own reports."""
        from core.roles import ASSISTANT, is_coordinator, user_roles

        if is_coordinator(user):
            return self
        if ASSISTANT in user_roles(user):
            # needs does not import duty; the shift model is named, not imported.
            # The places (a few hundred, each asked whether the assistant has a shift there), not
            # every shift the assistant ever rode: a list's first page stays flat in data size.
            shifts = apps.get_model("duty", "Shift").objects.filter(place_id=models.OuterRef("pk"), assistants=user)
            places = apps.get_model("duty", "Place").objects.filter(models.Exists(shifts)).values("pk")
            return self.filter(Q(place_id__in=places) | Q(reported_by=user))
        return self.none()


class Problem(ClientWrite):
    """A local problem residents reported; known to them only by its public code."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        FORWARDED = "forwarded", _("forwarded")
        IN_PROGRESS = "in_progress", _("in progress")
        RESOLVED = "resolved", _("resolved")
        UNRESOLVABLE = "unresolvable", _("cannot be resolved")
        DUPLICATE = "duplicate", _("duplicate")

    class Source(models.TextChoices):
        NOTE = "note", _("conversation note")
        CONTACT_BOX = "contact_box", _("contact box")
        COORDINATOR = "coordinator", _("coordinator")
        OPEN311 = "open311", _("Open311 interface")

    class Resolution(models.TextChoices):
        INSTITUTION = "institution", _("an institution dealt with it")
        ON_THE_SPOT = "on_the_spot", _("solved on the spot")
        NEIGHBOURS = "neighbours", _("solved by neighbours")
        NOT_RELEVANT = "not_relevant", _("no longer relevant")
        FAILED = "failed", _("could not be solved")
        OTHER = "other", _("other")

    class Feedback(models.TextChoices):
        PENDING = "pending", _("residents not told yet")
        TOLD = "told", _("residents told")
        WAIVED = "waived", _("waived by a coordinator")

    code = models.CharField(_("code"), max_length=12, unique=True, editable=False)
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, verbose_name=_("category"))
    place = models.ForeignKey(
        "duty.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="problems", verbose_name=_("place")
    )
    location = models.CharField(
        _("location"),
        max_length=200,
        blank=True,
        help_text=_("Where exactly, in words."),
        validators=[NoPII(addresses=True)],
    )
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(
        _("description"), help_text=_("Internal: never published."), validators=[NoPII(addresses=True)]
    )
    public_summary = models.TextField(
        _("public summary"),
        blank=True,
        validators=[NoPII(addresses=True)],
        help_text=_(
            "Written or approved by a coordinator; the only description Open311 publishes. Until there is one, "
            "only the category and the place are published."
        ),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.NOTE)
    note = models.ForeignKey(
        "duty.ConversationNote",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("conversation note"),
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    feedback = models.CharField(
        _("feedback to residents"), max_length=10, choices=Feedback.choices, default=Feedback.PENDING
    )
    feedback_waived_reason = models.TextField(_("why feedback was waived"), blank=True, validators=[NoPII()])
    untold_since = models.DateTimeField(
        _("news not yet told since"),
        null=True,
        blank=True,
        help_text=_("Set when there is public news residents have not heard; cleared when they are told."),
    )
    settled_at = models.DateTimeField(
        _("settled at"),
        null=True,
        blank=True,
        help_text=_("When it was last resolved, found unresolvable or merged; cleared when reopened."),
    )
    resolution = models.CharField(
        _("how it ended"), max_length=20, choices=Resolution.choices, blank=True, help_text=_("Set when it is settled.")
    )
    supporters = models.PositiveIntegerField(
        _("residents who reported it"), default=1, help_text=_("The first report and every voice added to it.")
    )
    fix_checked_at = models.DateTimeField(
        _("residents asked whether the fix holds"),
        null=True,
        blank=True,
        help_text=_("Some weeks after it was resolved, the next duty at its place asks whether it is still fixed."),
    )
    still_broken_since = models.DateTimeField(
        _("reported still broken since"),
        null=True,
        blank=True,
        help_text=_("A resident pressed “Nadal nie działa” on the public page; cleared when a coordinator acts."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Internal texts (the description is often a note's words) are not copied into the history.
    history = HistoricalRecords(excluded_fields=["description", "location", "feedback_waived_reason"])

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["status", "-reported_at"]),
            models.Index(fields=["place", "untold_since"]),
            models.Index(fields=["reported_at", "id"], name="needs_problem_reported_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.category}"

    @property
    def is_settled(self) -> bool:
        return self.status in SETTLED_STATUSES

    @property
    def is_closed(self) -> bool:
        """Done only when it is settled AND residents were told (or telling them was waived)."""
        return self.is_settled and self.feedback in (self.Feedback.TOLD, self.Feedback.WAIVED)

    def set_status(self, status: str, *, at: datetime | None = None) -> list[str]:
        """Change the status, keeping ``settled_at`` in step; returns the fields to save."""
        was_settled = self.is_settled
        self.status = status
        if self.is_settled and not was_settled:
            self.settled_at = at or timezone.now()
        elif not self.is_settled:
            self.settled_at = None
            self.resolution = ""
        self.fix_checked_at = None
        return ["status", "settled_at", "resolution", "fix_checked_at"]


SETTLED_STATUSES = (Problem.Status.RESOLVED, Problem.Status.UNRESOLVABLE, Problem.Status.DUPLICATE)


class ReferralQuerySet(models.QuerySet["Referral"]):
    """The one owner of "waiting for an answer" and "overdue"."""

    def awaiting(self) -> "ReferralQuerySet":
        """No answer yet, not withdrawn or closed, and the problem is still open (settling ends the wait)."""
        return self.filter(answered_on__isnull=True, closed_on__isnull=True).exclude(
            problem__status__in=SETTLED_STATUSES
        )

    def overdue(self, today: date) -> "ReferralQuerySet":
        return self.awaiting().filter(due_on__lt=today)


class Referral(models.Model):
    """The problem forwarded to one institution, and what it answered."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        LETTER = "letter", _("letter")
        EPUAP = "epuap", _("ePUAP")
        PHONE = "phone", _("phone")
        IN_PERSON = "in_person", _("in person")
        SYSTEM = "system", _("the institution's reporting system")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        WILL_FIX = "will_fix", _("will be fixed")
        FIXED = "fixed", _("fixed")
        REFUSED = "refused", _("refused")
        NOT_COMPETENT = "not_competent", _("not their competence")
        WITHDRAWN = "withdrawn", _("withdrawn by us")
        CLOSED = "closed", _("closed with the problem")
        OTHER = "other", _("other")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("problem"))
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("institution")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    due_on = models.DateField(_("answer due on"))
    answer = models.TextField(_("answer"), blank=True, validators=[NoPII(addresses=True)])
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    closed_on = models.DateField(
        _("closed on"), null=True, blank=True, help_text=_("Withdrawn, or closed because the problem was settled.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["answer"])

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["sent_on", "pk"]
        indexes = [
            models.Index(fields=["answered_on", "due_on"]),
            models.Index(fields=["sent_on", "id"], name="needs_referral_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.problem.code} → {self.institution}"

    @property
    def is_awaiting(self) -> bool:
        """The row version of ReferralQuerySet.awaiting (reads the problem: join it when listing)."""
        return self.answered_on is None and self.closed_on is None and not self.problem.is_settled


class ProblemEvent(ClientWrite):
    """One entry of a problem's timeline. Public text is what residents see on the status page.

    An event written through the API carries the caller's client id: a replayed forward, answer
    or "residents told" finds its event instead of writing a second one."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("reported")
        FORWARDED = "forwarded", _("forwarded to an institution")
        ANSWERED = "answered", _("answer received")
        STATUS = "status", _("status changed")
        FEEDBACK_TOLD = "feedback_told", _("residents told")
        FEEDBACK_WAIVED = "feedback_waived", _("feedback waived")
        DUPLICATE = "duplicate", _("marked as duplicate")
        WITHDRAWN = "withdrawn", _("referral withdrawn")
        REDIRECTED = "redirected", _("not their responsibility, forwarded elsewhere")
        REOPENED = "reopened", _("reopened")
        SUPPORTED = "supported", _("another resident reported it")
        FIX_CONFIRMED = "fix_confirmed", _("residents say it is still fixed")
        STILL_BROKEN = "still_broken", _("reported still broken")
        COMMENT = "comment", _("comment")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events", verbose_name=_("problem"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="events", verbose_name=_("referral")
    )
    status_after = models.CharField(_("status after"), max_length=20, choices=Problem.Status.choices, blank=True)
    public_text = models.TextField(
        _("public text"),
        blank=True,
        help_text=_("Shown to residents on the status page."),
        validators=[NoPII(addresses=True)],
    )
    internal_text = models.TextField(
        _("internal text"), blank=True, help_text=_("Only for staff."), validators=[NoPII()]
    )

    class Meta:
        verbose_name = _("problem event")
        verbose_name_plural = _("problem events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["problem", "at"])]

    def __str__(self) -> str:
        return f"{self.problem.code}: {self.get_kind_display()}"


class ProblemSupport(models.Model):
    """One more resident's voice on a problem already reported: counted once per phone write."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="supports", verbose_name=_("problem"))
    client_uuid = models.UUIDField(_("client id"), unique=True, null=True, blank=True, editable=False)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.ForeignKey(
        "duty.ConversationNote",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_supports",
        verbose_name=_("conversation note"),
    )

    class Meta:
        verbose_name = _("resident's voice")
        verbose_name_plural = _("residents' voices")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.problem_id} +1"


class PublicText(models.Model):
    """A public text residents read, in plain Polish, that a coordinator may reword.

    Placeholders in braces ({institution}, {due}, {code}) are filled in; a key without a row
    uses the built-in wording (needs.texts).
    """

    key = models.CharField(_("when it is used"), max_length=40, unique=True)
    text = models.TextField(_("text for residents"), validators=[NoPII(addresses=True)])

    class Meta:
        verbose_name = _("public text template")
        verbose_name_plural = _("public text templates")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


def open311_key_hash(raw: str) -> str:
    """Keys are 256 random bits, so one SHA-256 is enough; the database never sees the key itself."""
    return hashlib.sha256(raw.encode()).hexdigest()


class Open311KeyQuerySet(models.QuerySet["Open311Key"]):
    def authenticate(self, raw: object) -> "Open311Key | None":
        """The active key that ``raw`` is, or None; an empty or missing key is never valid."""
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            return None
        return self.filter(key_hash=open311_key_hash(text), active=True).first()


class Open311Key(models.Model):
    """An API key for a civic issue system posting requests through Open311 (stored hashed)."""

    name = models.CharField(_("who uses it"), max_length=120)
    key_hash = models.CharField(_("key (SHA-256)"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key begins with"), max_length=8, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = Open311KeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return self.name

    def set_key(self, raw: str | None = None) -> str:
        """Give the key a new secret (random unless ``raw`` is given) and return it: it is shown once."""
        raw = raw if raw else secrets.token_urlsafe(32)
        self.key_hash = open311_key_hash(raw)
        self.prefix = raw[:4]
        return raw

    @classmethod
    def issue(cls, *, name: str, raw: str | None = None) -> tuple["Open311Key", str]:
        """A new active key; returns it with its secret, which is not stored and cannot be read again."""
        key = cls(name=name)
        secret = key.set_key(raw)
        key.save()
        return key, secret
