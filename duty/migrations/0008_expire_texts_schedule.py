"""Nightly retention of note texts, editable afterwards in the admin (Periodic tasks)."""

from django.db import migrations

NAME = "Prywatność: usuwanie starych treści notatek 3:30"


def create_schedule(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = Crontab.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Warsaw"
    )
    Task.objects.update_or_create(name=NAME, defaults={"task": "duty.expire_texts", "crontab": nightly})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("duty", "0007_history_keeps_no_copy_of_texts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
