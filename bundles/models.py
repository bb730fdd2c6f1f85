"""Services that partner organisations offer, and bundles of them (wiązki usług społecznych).

A bundle answers one need (or a named situation covering several needs) with at least three
services of at least two service types from at least two partners: the rule lives in
``Completeness`` and nowhere else.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import ClientWrite
from needs.models import Institution, Need

MIN_SERVICES = 3
MIN_TYPES = 2
MIN_PARTNERS = 2


@dataclass(frozen=True)
class Completeness:
    """Whether a set of services makes a bundle, and if not, why not."""

    services: int
    types: int
    partners: int
    reasons: list[str] = field(default_factory=list, compare=False)

    @classmethod
    def of(cls, *, services: int, types: int, partners: int) -> "Completeness":
        reasons = []
        if services < MIN_SERVICES:
            reasons.append(gettext("only %(n)s of at least %(min)s services") % {"n": services, "min": MIN_SERVICES})
        if types < MIN_TYPES:
            reasons.append(
                gettext("services of only %(n)s of at least %(min)s service types") % {"n": types, "min": MIN_TYPES}
            )
        if partners < MIN_PARTNERS:
            reasons.append(
                gettext("services from only %(n)s of at least %(min)s partners") % {"n": partners, "min": MIN_PARTNERS}
            )
        return cls(services=services, types=types, partners=partners, reasons=reasons)

    @property
    def complete(self) -> bool:
        return not self.reasons

    @property
    def why_not(self) -> str:
        return "; ".join(self.reasons)


class ServiceType(models.Model):
    """The service types catalogue: the OWES standard and the usual social services."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    owes_standard = models.BooleanField(_("OWES standard service"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


def on_offer_q(prefix: str = "", today: date | None = None) -> Q:
    """Services on offer today, of an active partner: the one definition of "active"."""
    today = today or timezone.localdate()
    p = prefix
    return (
        Q(**{f"{p}active": True, f"{p}partner__active": True})
        & (Q(**{f"{p}valid_from__isnull": True}) | Q(**{f"{p}valid_from__lte": today}))
        & (Q(**{f"{p}valid_until__isnull": True}) | Q(**{f"{p}valid_until__gte": today}))
    )


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self, today: date | None = None) -> "ServiceQuerySet":
        return self.filter(on_offer_q(today=today))

    def public(self, today: date | None = None) -> "ServiceQuerySet":
        """What a person without an account may see: public services of active partners."""
        return self.active(today).filter(public=True)

    def for_needs(self, codes: list[str]) -> "ServiceQuerySet":
        return self.filter(needs__code__in=codes).distinct()

    def completeness(self) -> Completeness:
        counts = self.aggregate(
            services=Count("pk", distinct=True),
            types=Count("type", distinct=True),
            partners=Count("partner", distinct=True),
        )
        return Completeness.of(**counts)


class Service(models.Model):
    """One service a partner organisation offers, in words a resident understands."""

    partner = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="services", verbose_name=_("partner")
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="services", verbose_name=_("type"))
    description = models.TextField(_("description"), blank=True)
    who_may_use = models.TextField(_("who may use it"), blank=True)
    free = models.BooleanField(_("free of charge"), default=True)
    how_to_get = models.TextField(
        _("how to get it"), help_text=_("E.g. “Tuesdays 10–12, no appointment”, “just come with…”.")
    )
    needs = models.ManyToManyField(Need, blank=True, related_name="services", verbose_name=_("needs it answers"))
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown to residents on /uslugi/. Otherwise only staff see it.")
    )
    active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="service_unique_name_per_partner"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="service_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner})"


class BundleQuerySet(models.QuerySet["Bundle"]):
    def active(self) -> "BundleQuerySet":
        return self.filter(active=True)

    def with_counts(self, today: date | None = None) -> "BundleQuerySet":
        """Counts of the bundle's services on offer today, for ``Bundle.completeness``."""
        on_offer = on_offer_q("services__", today)
        return self.annotate(
            n_services=Count("services", filter=on_offer, distinct=True),
            n_types=Count("services__type", filter=on_offer, distinct=True),
            n_partners=Count("services__partner", filter=on_offer, distinct=True),
        )


class Bundle(models.Model):
    """A bundle of social services for a need, or for a named situation covering several needs."""

    class Stage(models.TextChoices):
        DISCOVERY = "discovery", _("Discovery")
        CHALLENGE = "challenge", _("Defining the challenge")
        SOLUTION = "solution", _("Creating a solution")
        PROTOTYPE = "prototype", _("Prototyping and testing")
        IMPLEMENTATION = "implementation", _("Planning the implementation")

    # Each Canvas block is a few sentences, so that the Canvas prints on one A4 page.
    CANVAS_MAX = 500
    # The nine blocks of the Business Model Canvas, in the order they are read.
    CANVAS = (
        "customer_segments",
        "value_proposition",
        "channels",
        "customer_relationships",
        "revenue_streams",
        "key_resources",
        "key_activities",
        "key_partners",
        "cost_structure",
    )

    name = models.CharField(_("name"), max_length=200, help_text=_("The need or situation, e.g. “a lonely senior”."))
    needs = models.ManyToManyField(Need, related_name="bundles", verbose_name=_("needs it answers"))
    services = models.ManyToManyField(Service, blank=True, related_name="bundles", verbose_name=_("services"))
    stage = models.CharField(_("Design Thinking stage"), max_length=20, choices=Stage.choices, default=Stage.DISCOVERY)
    customer_segments = models.TextField(
        _("customer segments"),
        blank=True,
        max_length=CANVAS_MAX,
        help_text=_("Who is the client? For whom is the bundle meant?"),
    )
    value_proposition = models.TextField(
        _("value proposition"),
        blank=True,
        max_length=CANVAS_MAX,
        help_text=_("Which problems does it solve? What do we offer?"),
    )
    channels = models.TextField(
        _("channels"),
        blank=True,
        max_length=CANVAS_MAX,
        help_text=_("How do people hear about the offer? How is contact made?"),
    )
    customer_relationships = models.TextField(
        _("customer relationships"),
        blank=True,
        max_length=CANVAS_MAX,
        help_text=_("What relationship do we keep with clients, and how?"),
    )
    revenue_streams = models.TextField(
        _("revenue streams"),
        blank=True,
        max_length=CANVAS_MAX,
        help_text=_("How is the bundle funded, and from which sources?"),
    )
    key_resources = models.TextField(
        _("key resources"), blank=True, max_length=CANVAS_MAX, help_text=_("People, equipment and money it needs.")
    )
    key_activities = models.TextField(
        _("key activities"),
        blank=True,
        max_length=CANVAS_MAX,
        help_text=_("How is the service delivered, and kept going?"),
    )
    key_partners = models.TextField(
        _("key partners"),
        blank=True,
        max_length=CANVAS_MAX,
        help_text=_("Who delivers which services, what do partners bring?"),
    )
    cost_structure = models.TextField(
        _("cost structure"),
        blank=True,
        max_length=CANVAS_MAX,
        help_text=_("What does it cost? The largest cost? Fixed and variable?"),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = BundleQuerySet.as_manager()

    class Meta:
        verbose_name = _("service bundle")
        verbose_name_plural = _("service bundles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def completeness(self) -> Completeness:
        """From ``BundleQuerySet.with_counts`` when annotated, else counted now."""
        counts = getattr(self, "n_services", None), getattr(self, "n_types", None), getattr(self, "n_partners", None)
        if None not in counts:
            return Completeness.of(services=counts[0], types=counts[1], partners=counts[2])  # type: ignore[arg-type]
        return self.services.active().completeness()

    def canvas(self) -> list[tuple[str, str, str]]:
        """The nine blocks as (field, label, text), in the Canvas order."""
        blocks = []
        for name in self.CANVAS:
            f = self._meta.get_field(name)
            blocks.append((name, str(getattr(f, "verbose_name", name)), getattr(self, name)))
        return blocks


class ServiceTold(ClientWrite):
    """A resident was told about a service on a shift (or the assistant went along or phoned ahead).

    An anonymous count: one row per tap, no person, no note.
    """

    class Kind(models.TextChoices):
        TOLD = "told", _("told about it")
        HANDOFF = "handoff", _("warm hand-off")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="told", verbose_name=_("service"))
    shift = models.ForeignKey(
        "duty.Shift", on_delete=models.CASCADE, related_name="services_told", verbose_name=_("shift")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TOLD)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("service told about")
        verbose_name_plural = _("services told about")
        ordering = ["at"]
        indexes = [models.Index(fields=["shift", "service"])]

    def __str__(self) -> str:
        return f"{self.service} · {self.get_kind_display()}"
