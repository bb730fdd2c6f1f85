from django.http import HttpRequest

from .models import User


class AuthedRequest(HttpRequest):
    """A request behind ``@login_required``: ``request.user`` is a real staff user."""

    user: User
