"""Thin tasks: ids in, a service does the work. All are idempotent (unique reminder keys), so a
task Redis delivers twice (acks_late, visibility timeout) sends nothing twice. Due times live in
PostgreSQL, which the beat-driven sweep reads: no countdowns or ETAs here.

Tasks enqueued from a request ignore their result: with a result backend, sending a task first
subscribes to its result in Redis, and with Redis down that retries for about 20 seconds before
the request can go on. Nobody reads these results anyway."""

from celery import shared_task

from . import services
from .models import Kind


@shared_task(name="reminders.sweep", acks_late=True)
def sweep() -> dict[str, int]:
    return services.reminders_sweep().as_dict()


@shared_task(name="reminders.daily_digest", acks_late=True, ignore_result=True)
def daily_digest() -> int:
    return services.digest_daily()


@shared_task(name="reminders.weekly_summary", acks_late=True, ignore_result=True)
def weekly_summary() -> int:
    return services.summary_weekly()


@shared_task(name="reminders.new_problem", acks_late=True, ignore_result=True)
def new_problem(problem_id: int) -> int:
    return services.reminder_for_event(kind=Kind.NEW_PROBLEM, object_id=problem_id)


@shared_task(name="reminders.follow_up", acks_late=True, ignore_result=True)
def follow_up(note_id: int) -> int:
    return services.reminder_for_event(kind=Kind.FOLLOW_UP, object_id=note_id)
