from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ClubConfig(AppConfig):
    name = "club"
    verbose_name = _("Residents' Club")

    def ready(self) -> None:
        from . import feedcache
        from .models import Activity, Room, Session

        for model in (Activity, Session, Room):
            for signal in (post_save, post_delete):
                signal.connect(feedcache.schedule_changed, sender=model, dispatch_uid=f"club.feed.{model.__name__}")
