"""Sending the funder report: after each month to the recipients set in the admin, at most once.

The month's ``ReportSend`` row is the claim: its month is unique, so of two beats (or a beat and
a retry, or two workers) only the one that inserted it sends. A sending that fails gives the
claim back, so the task's retry can send; one that succeeded records when.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import report
from .models import ReportRecipient, ReportSend
from .periods import Period

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def last_month(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period.month_of(today.replace(day=1) - timedelta(days=1))


def report_email(*, period: Period, to: list[str], test: bool = False) -> EmailMessage:
    with translation.override("pl"):
        subject = _("Mobilny Asystent: report for %(period)s") % {"period": period.label}
        if test:
            subject = _("[test] %(subject)s") % {"subject": subject}
        link = f"{settings.SITE_URL}/koordynator/raport/?{period.query}"
        body = _(
            "Good morning,\n\nattached are the figures of the Mobile Local Community Assistant for %(period)s: "
            "the residents' journey, places, needs, problems, the Residents' Club and costs.\n"
            "Counts below %(min)s are shown as “<%(min)s”, so that no one can be recognised.\n\n"
            "The same summary with charts: %(link)s\n"
        ) % {"period": period.label, "min": settings.STATS_MIN_CELL, "link": link}
        data = report.xlsx(report.build(period))
    message = EmailMessage(subject=subject, body=body, to=to)
    message.attach(report.filename(period), data, XLSX_TYPE)
    return message


def report_send_monthly(*, today: date | None = None) -> ReportSend | None:
    """Send last month's report to the active recipients, unless it was already claimed."""
    period = last_month(today)
    recipients = list(ReportRecipient.objects.filter(active=True).values_list("email", flat=True))
    if not recipients:
        return None
    try:
        with transaction.atomic():
            claim = ReportSend.objects.create(month=period.first)
    except IntegrityError:
        return None  # sent, or being sent, by another beat, worker or retry
    try:
        report_email(period=period, to=recipients).send(fail_silently=False)
    except Exception:
        claim.delete()  # give the month back so the retry can send it
        raise
    claim.sent_at = timezone.now()
    claim.recipients = len(recipients)
    claim.save(update_fields=["sent_at", "recipients"])
    return claim


def report_send_test(*, to: str, period: Period | None = None) -> None:
    """ "Send a test to me": last month's report (or the period shown) to one address, no claim."""
    report_email(period=period or last_month(), to=[to], test=True).send(fail_silently=False)
