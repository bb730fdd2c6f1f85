"""Run the reminder sweep in this process: the demo (`make run`) and installations without Redis.

Cron, every 10 minutes:
    */10 * * * * cd /srv/mobilny-asystent && .venv/bin/python manage.py send_reminders
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from reminders import services


class Command(BaseCommand):
    help = (
        "Send the reminders that are due; from the digest hour on, also yesterday's digest and last "
        "week's summary (each is made once, however often this runs)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-digest", action="store_true", help="Only the sweep, no digest or weekly summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.reminders_sweep()
        self.stdout.write(
            f"due {result.due}, new notifications {result.created}, resolved {result.resolved}, e-mails {result.emailed}"
        )
        if options["no_digest"] or timezone.localtime().hour < settings.REMINDER_DIGEST_HOUR:
            return
        # Keyed by the day and by the week: a run every 10 minutes still makes each one once.
        digest = services.digest_daily()
        summary = services.summary_weekly()
        if digest or summary:
            self.stdout.write(f"digest notifications {digest}, weekly summary notifications {summary}")
