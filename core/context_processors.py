from typing import Any

from django.http import HttpRequest

from . import roles as role_defs


def roles(request: HttpRequest) -> dict[str, Any]:
    held = role_defs.user_roles(request.user)
    return {
        "is_assistant": role_defs.ASSISTANT in held,
        "is_coordinator": role_defs.is_coordinator(request.user),
        "is_club": role_defs.CLUB in held,
    }
