"""Fill a realistic Polish demo: users for each role, places, shifts, problems, partners, club.

Demo data only: the catalogues ship with the app and ``migrate`` loads them. Idempotent: every
part looks rows up by a natural key, so a second run duplicates nothing. The demo's Open311 key
is random per install and printed once, when it is made.
"""

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from core.catalogues import load_catalogues
from core.models import User
from core.roles import ASSISTANT, CLUB, COORDINATOR, sync_role_permissions
from demo import bundles as bundles_demo
from demo import club as club_demo
from demo import duty as duty_demo
from demo import needs as needs_demo
from demo import reminders as reminders_demo

PASSWORD_FILE = Path(settings.BASE_DIR) / ".demo-password"

DEMO_USERS = [
    # username, first name, role, is_staff, is_superuser
    ("asystent", "Ola", ASSISTANT, False, False),
    ("asystent2", "Marek", ASSISTANT, False, False),
    ("koordynator", "Ewa", COORDINATOR, True, False),
    ("klub", "Kasia", CLUB, False, False),
    ("admin", "Admin", COORDINATOR, True, True),
]


def demo_password() -> str:
    if settings.MA_DEMO_PASSWORD:
        return settings.MA_DEMO_PASSWORD
    if PASSWORD_FILE.exists():
        return PASSWORD_FILE.read_text().strip()
    password = secrets.token_urlsafe(9)
    PASSWORD_FILE.write_text(password + "\n")
    PASSWORD_FILE.chmod(0o600)
    return password


def seed_users(password: str) -> dict[str, User]:
    sync_role_permissions()
    users = {}
    for username, first_name, role, is_staff, is_superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "is_staff": is_staff, "is_superuser": is_superuser},
        )
        if created or settings.MA_DEMO_PASSWORD:
            user.set_password(password)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users


class Command(BaseCommand):
    help = "Fill the database with realistic demo data (safe to run again)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when demo users already exist.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.filter(username="asystent").exists():
            self.stdout.write("Demo data already present.")
            self.print_logins(demo_password())
            return
        password = demo_password()
        with transaction.atomic():
            users = seed_users(password)
            load_catalogues()
            needs_demo.seed_institutions()
            duty_demo.seed(users)
            needs_demo.seed_problems(users)
            bundles_demo.seed()
            club_demo.seed(users)
            reminders_demo.seed(users)
            open311_key = needs_demo.seed_open311_key()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.print_logins(password)
        if open311_key:
            self.stdout.write(f"Open311 key of “{needs_demo.OPEN311_CLIENT}” (shown once): {open311_key}")

    def print_logins(self, password: str) -> None:
        self.stdout.write("Logins (user name / password):")
        for username, _first, role, _staff, _su in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {password:<16} {role}")
