"""The three staff roles, their Django groups and permissions, and where each lands after login.

The groups are created by a data migration and their permissions are brought up to date after
every ``migrate`` (new models get their permissions only once their migration has run).
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ASSISTANT = "Asystent"
COORDINATOR = "Koordynator"
CLUB = "Klub"
ROLES = (ASSISTANT, COORDINATOR, CLUB)

# app label -> actions, or "app.model" -> actions; "*" means add, change, delete and view.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    COORDINATOR: {
        "core.user": ("view",),
        "needs": ("*",),
        "duty": ("*",),
        "club": ("*",),
        "bundles": ("*",),
        "reminders": ("*",),
        "django_celery_beat": ("*",),
    },
    ASSISTANT: {
        "duty.place": ("view",),
        "duty.shift": ("add", "change", "view"),
        "duty.countertap": ("add", "view"),
        "duty.conversationnote": ("add", "change", "view"),
        "needs.need": ("view",),
        "needs.problemcategory": ("view",),
        "needs.institution": ("view",),
        "needs.problem": ("add", "view"),
        "needs.problemevent": ("add", "view"),
        "club.session": ("view",),
        "club.activity": ("view",),
        "bundles.service": ("view",),
        "bundles.servicetype": ("view",),
        "bundles.bundle": ("view",),
        "bundles.servicetold": ("add", "view"),
    },
    CLUB: {
        "club": ("*",),
        "duty.place": ("view",),
        "needs.need": ("view",),
    },
}

# Where each role lands after login, in order of precedence for users with several roles.
ROLE_HOME = ((COORDINATOR, "dashboard"), (ASSISTANT, "duty:home"), (CLUB, "club:staff_home"))


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_ma_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))  # type: ignore[attr-defined]
        setattr(user, "_ma_roles", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


def is_coordinator(user: AbstractBaseUser | AnonymousUser) -> bool:
    """The one test of "may act as a coordinator": the Koordynator role, or a superuser."""
    return bool(getattr(user, "is_superuser", False)) or COORDINATOR in user_roles(user)


def coordinator_ids() -> list[int]:
    """Active users for whom ``is_coordinator`` holds: the recipients of coordinators' reminders."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    users = get_user_model().objects.filter(Q(groups__name=COORDINATOR) | Q(is_superuser=True), is_active=True)
    return list(users.order_by("pk").values_list("pk", flat=True).distinct())


def home_url_name(user: AbstractBaseUser | AnonymousUser) -> str | None:
    roles = user_roles(user)
    for role, url_name in ROLE_HOME:
        if role in roles:
            return url_name
    if getattr(user, "is_superuser", False):
        return "dashboard"
    return None


def sync_role_permissions(apps: Any = None) -> None:
    """Create the groups and give each exactly the permissions ROLE_PERMISSIONS lists."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for target, actions in grants.items():
            app_label, _dot, model = target.partition(".")
            perms = Permission.objects.filter(content_type__app_label=app_label)
            if model:
                perms = perms.filter(content_type__model=model)
            for perm in perms:
                action = perm.codename.split("_", 1)[0]
                if "*" in actions or action in actions:
                    wanted.append(perm)
        group.permissions.set(wanted)


def sync_on_migrate(sender: Any, **kwargs: Any) -> None:
    # Runs after each app's post_migrate; the last one (for "reminders" or any app after the
    # permission-creating handler) leaves the groups complete.
    sync_role_permissions(kwargs.get("apps"))
