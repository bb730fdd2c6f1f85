"""What the service costs, and who receives the monthly report.

The model card's figures come as editable defaults (migration 0002): the bike with its equipment,
the coffee machine, supplies, Club materials and two assistants at half-time.
"""

from datetime import date
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Investment(models.Model):
    """A one-off purchase, spread evenly over its amortisation period."""

    name = models.CharField(_("name"), max_length=160)
    amount = models.DecimalField(_("amount (PLN)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    bought_on = models.DateField(_("bought on"))
    amortisation_months = models.PositiveSmallIntegerField(
        _("amortisation period (months)"), default=60, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("investment")
        verbose_name_plural = _("investments")
        ordering = ["bought_on", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def monthly(self) -> Decimal:
        return self.amount / self.amortisation_months

    def active_on(self, day: date) -> bool:
        """Amortised from the day it was bought for ``amortisation_months`` whole months."""
        b = self.bought_on
        months = (day.year - b.year) * 12 + day.month - b.month - (1 if day.day < b.day else 0)
        return day >= b and months < self.amortisation_months


class MonthlyCost(models.Model):
    """A cost paid every month while it is valid."""

    class Kind(models.TextChoices):
        SUPPLIES = "supplies", _("supplies for the bike (coffee, tea, biscuits, cups)")
        CLUB = "club", _("Club and animation materials")
        SALARIES = "salaries", _("salaries")
        PREMISES = "premises", _("premises")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=160, blank=True)
    amount = models.DecimalField(
        _("amount a month (PLN)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly cost")
        verbose_name_plural = _("monthly costs")
        ordering = ["kind", "valid_from"]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()

    def active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class CostSettings(models.Model):
    """One row: how staff time is priced."""

    staff_cost_per_hour = models.DecimalField(
        _("staff cost per hour on duty (PLN)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "When set, staff time is priced as the hours of held shifts × the number of assistants × this rate, "
            "and monthly costs of the kind “salaries” are left out. Empty: salaries as monthly costs."
        ),
    )

    class Meta:
        verbose_name = _("cost settings")
        verbose_name_plural = _("cost settings")

    def __str__(self) -> str:
        return str(_("cost settings"))

    @classmethod
    def current(cls) -> "CostSettings":
        return cls.objects.order_by("pk").first() or cls()


class ReportRecipient(models.Model):
    """An organisation's address that receives the funder report after each month."""

    email = models.EmailField(_("e-mail"), unique=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class ReportSend(models.Model):
    """The monthly report of one month, claimed once: the unique month keeps it to one sending."""

    month = models.DateField(_("month"), unique=True)
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("monthly report sent")
        verbose_name_plural = _("monthly reports sent")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
