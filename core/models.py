from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member of staff. Residents never have accounts."""

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def in_role(self, role: str) -> bool:
        from .roles import user_roles

        return role in user_roles(self)


class ClientWrite(models.Model):
    """Rows a phone may send more than once: the phone's own id makes a replay harmless.

    ``client_uuid`` is unique (a real constraint, so two concurrent identical requests make one
    row); ``client_fingerprint`` is a hash of what was sent, so a replay with other content is
    told apart from an honest retry. Rows made in the admin have neither.
    """

    client_uuid = models.UUIDField(_("client id"), unique=True, null=True, blank=True, editable=False)
    client_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True
