import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
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


def api_token_hash(raw: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 is enough; the database never sees the token itself."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def valid(self, now: datetime | None = None) -> "ApiTokenQuerySet":
        """Not revoked, not expired: the one definition every check uses."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now(), user__is_active=True)

    def authenticate(self, raw: object) -> "ApiToken | None":
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            return None
        return self.valid().select_related("user").filter(key_hash=api_token_hash(text)).first()


class ApiToken(models.Model):
    """A token an integration uses for the JSON API, acting as one user (whose role decides what it may do).

    Issued and revoked by a coordinator in the admin; stored hashed and shown once; it expires
    after API_TOKEN_DAYS.
    """

    name = models.CharField(_("what uses it"), max_length=120)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("acts as user"))
    key_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("token begins with"), max_length=8, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def set_token(self, days: int | None = None) -> str:
        """A new random secret that expires in ``days`` (API_TOKEN_DAYS); returned once, never stored."""
        raw = secrets.token_urlsafe(32)
        self.key_hash, self.prefix = api_token_hash(raw), raw[:4]
        self.expires_at = timezone.now() + timedelta(days=days or settings.API_TOKEN_DAYS)
        return raw

    @classmethod
    def issue(cls, *, name: str, user: User, days: int | None = None) -> tuple["ApiToken", str]:
        token = cls(name=name, user=user)
        raw = token.set_token(days)
        token.save()
        return token, raw

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class AccessLogEntry(models.Model):
    """Who exported or read many notes at once, when, with which filter, how many rows.

    Append-only: the database refuses UPDATE and DELETE on this table (a trigger, see the migration),
    and the admin shows it read-only to administrators. A search term is never stored, only its
    length, because what was searched for may be a resident's words.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", _("export")
        BULK_READ = "bulk_read", _("bulk read of notes")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    what = models.CharField(_("what"), max_length=100)
    filter = models.TextField(_("filter"), blank=True)
    rows = models.PositiveIntegerField(_("rows"))

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.kind} {self.what} ({self.rows})"
