from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from . import catalogues, pii, roles

        pre_save.connect(pii.refuse_pii_on_save, dispatch_uid="core.refuse_pii_on_save")
        post_migrate.connect(roles.sync_on_migrate, dispatch_uid="core.sync_role_permissions")
        post_migrate.connect(catalogues.load_on_migrate, sender=self, dispatch_uid="core.load_catalogues")
