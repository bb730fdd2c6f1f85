"""Thin tasks: the service decides and claims; retries only for a mail server that did not answer."""

from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(
    name="insight.send_monthly_report",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=60,
    max_retries=5,
)
def send_monthly_report() -> int:
    sent = services.report_send_monthly()
    return sent.recipients if sent else 0
