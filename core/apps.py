from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate, pre_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from . import catalogues, pii, roles

        pre_save.connect(pii.refuse_pii_on_save, dispatch_uid="core.refuse_pii_on_save")
        user_logged_in.connect(_start_idle_clock, dispatch_uid="core.start_idle_clock")
        post_migrate.connect(roles.sync_on_migrate, dispatch_uid="core.sync_role_permissions")
        post_migrate.connect(catalogues.load_on_migrate, sender=self, dispatch_uid="core.load_catalogues")


def _start_idle_clock(sender: Any, request: Any = None, **kwargs: Any) -> None:
    from .middleware import stamp_session

    if request is not None and hasattr(request, "session"):
        stamp_session(request)
