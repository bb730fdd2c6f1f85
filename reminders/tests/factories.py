import factory
from django.utils import timezone

from reminders.models import Kind, Notification, Reminder


class ReminderFactory(factory.django.DjangoModelFactory[Reminder]):
    class Meta:
        model = Reminder

    kind = Kind.NEW_PROBLEM
    object_key = factory.Sequence(lambda n: f"problem:{n}")
    occurrence = "1"
    title = factory.Sequence(lambda n: f"Nowy problem NR{n:05d}: Oświetlenie")
    url = "/problemy/ABC/"


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    reminder = factory.SubFactory(ReminderFactory)


def notify(user, *, resolved=False, **reminder_fields):
    """A notification for ``user``; ``resolved`` makes its reminder no longer current."""
    if resolved:
        reminder_fields["resolved_at"] = timezone.now()
    return NotificationFactory.create(recipient=user, reminder=ReminderFactory.create(**reminder_fields))
