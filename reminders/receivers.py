"""Hooks on the other apps: a new problem or a follow-up request notifies coordinators at once.

Nothing else imports this app. If the broker is down the request still succeeds
(core.queue.enqueue_on_commit logs and moves on) and the next sweep, which reads the same rows,
delivers the notification.
"""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from core.queue import enqueue_on_commit
from duty.models import ConversationNote
from needs.signals import problem_reported

from . import tasks


@receiver(problem_reported, dispatch_uid="reminders.problem_reported")
def on_problem_reported(sender: Any, problem_id: int, **kwargs: Any) -> None:
    enqueue_on_commit(tasks.new_problem, problem_id)


@receiver(post_save, sender=ConversationNote, dispatch_uid="reminders.follow_up")
def on_note_saved(sender: Any, instance: ConversationNote, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # An edit that ticks "wants follow-up" counts too; the task is idempotent per note.
    if instance.wants_follow_up and not raw:
        enqueue_on_commit(tasks.follow_up, instance.pk)
