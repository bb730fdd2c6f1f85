from typing import Any

from rest_framework.permissions import BasePermission

from .roles import ASSISTANT, CLUB, COORDINATOR, user_roles


class HasRole(BasePermission):
    """Authenticated users holding one of ``roles`` (superusers always)."""

    roles: tuple[str, ...] = ()

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user_roles(user) & set(self.roles)))


class IsFieldWorker(HasRole):
    roles = (ASSISTANT, COORDINATOR)


class IsCoordinator(HasRole):
    roles = (COORDINATOR,)


class IsClubStaff(HasRole):
    roles = (CLUB, COORDINATOR)


class IsStaff(HasRole):
    roles = (ASSISTANT, COORDINATOR, CLUB)
