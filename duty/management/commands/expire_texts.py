from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from duty.services import texts_expire


class Command(BaseCommand):
    help = (
        "Replace note texts older than NOTE_TEXT_RETENTION_DAYS, and internal texts of problems settled that "
        "long ago, with a marker. Tags, stages, counts and dates stay. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be replaced.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, dry_run: bool = False, batch_size: int = 500, **options: Any) -> None:
        counts = texts_expire(batch_size=batch_size, dry_run=dry_run)
        verb = "would be replaced" if dry_run else "replaced"
        self.stdout.write(f"Retention: {settings.NOTE_TEXT_RETENTION_DAYS} days.")
        for field, n in counts.items():
            self.stdout.write(f"{field}: {n} {verb}")
