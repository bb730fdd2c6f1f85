from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ANSWER_OVERDUE = "answer_overdue", _("An institution's answer is overdue")
    FEEDBACK_UNTOLD = "feedback_untold", _("Residents have not been told the news")
    SHIFT_OPEN = "shift_open", _("A shift was left open")
    SHIFT_NO_ASSISTANT = "shift_no_assistant", _("A shift tomorrow has no assistant")
    SESSION_NO_LEADER = "session_no_leader", _("A club session has no leader")
    ATTENDANCE_MISSING = "attendance_missing", _("Club attendance was not recorded")
    NEW_PROBLEM = "new_problem", _("A new problem was reported")
    FOLLOW_UP = "follow_up", _("A resident wants follow-up")
    DAILY_DIGEST = "daily_digest", _("Daily digest")
    WEEKLY_SUMMARY = "weekly_summary", _("Weekly summary")


class Reminder(models.Model):
    """One thing someone must do, once per (kind, object, occurrence): a sweep run twice makes one."""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    object_key = models.CharField(_("object"), max_length=64)
    occurrence = models.CharField(_("occurrence"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    escalated = models.BooleanField(_("escalated"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "object_key", "occurrence"], name="reminder_once")]
        indexes = [models.Index(fields=["kind", "resolved_at"])]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """A reminder delivered to one person: in the app always, by e-mail when they want it."""

    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("reminder")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_wanted = models.BooleanField(_("by e-mail"), default=False)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["reminder", "recipient"], name="notification_once")]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["email_wanted", "emailed_at"])]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.reminder}"


class EmailPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    email = models.BooleanField(_("send by e-mail"), default=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_preference_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"
