import pytest
from django.core.management import call_command

from core.models import User
from reminders.models import Kind, Notification, Reminder
from reminders.rules import SELF_RESOLVING
from reminders.selectors import notifications_unread_count

pytestmark = pytest.mark.django_db


def test_it_leaves_every_rule_due_in_a_fresh_demo_and_stays_idempotent():
    call_command("seed_demo")
    due = set(Reminder.objects.filter(resolved_at__isnull=True).values_list("kind", flat=True))
    assert due >= SELF_RESOLVING | {Kind.DAILY_DIGEST, Kind.WEEKLY_SUMMARY}
    # Each reaches someone: by a notification of its own, or listed in one about several of its kind.
    listed = "\n".join(Reminder.objects.filter(object_key__startswith="list:").values_list("body", flat=True))
    unreached = Reminder.objects.filter(resolved_at__isnull=True, notifications=None).values_list("title", flat=True)
    assert [title for title in unreached if f"• {title}" not in listed] == []
    coordinator = User.objects.get(username="koordynator")
    assert Reminder.objects.filter(kind=Kind.DAILY_DIGEST, notifications__recipient=coordinator).exists()
    assert notifications_unread_count(user=coordinator) > 0
    assert notifications_unread_count(user=User.objects.get(username="klub")) >= 2
    assert Reminder.objects.filter(kind=Kind.SHIFT_OPEN, notifications__recipient__username="asystent2").exists()
    counts = (Reminder.objects.count(), Notification.objects.count())
    call_command("seed_demo")
    assert (Reminder.objects.count(), Notification.objects.count()) == counts
