from typing import Any

from django.core.management.base import BaseCommand

from core.catalogues import load_catalogues


class Command(BaseCommand):
    help = "Create the missing rows of the shipped catalogues; never changes a row that exists (migrate runs it too)."

    def handle(self, *args: Any, **options: Any) -> None:
        for catalogue, created in load_catalogues().items():
            self.stdout.write(f"{catalogue}: {created} created")
