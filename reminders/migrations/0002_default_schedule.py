"""The default schedule, editable afterwards in the admin (Periodic tasks)."""

from django.db import migrations

TZ = "Europe/Warsaw"


def create_schedule(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    every_10, _ = Interval.objects.get_or_create(every=10, period="minutes")
    daily, _ = Crontab.objects.get_or_create(
        minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone=TZ
    )
    monday, _ = Crontab.objects.get_or_create(
        minute="0", hour="7", day_of_week="1", day_of_month="*", month_of_year="*", timezone=TZ
    )
    Task.objects.update_or_create(
        name="Przypomnienia: przegląd co 10 minut", defaults={"task": "reminders.sweep", "interval": every_10}
    )
    Task.objects.update_or_create(
        name="Przypomnienia: dzienne podsumowanie 7:00", defaults={"task": "reminders.daily_digest", "crontab": daily}
    )
    Task.objects.update_or_create(
        name="Przypomnienia: tygodniowe podsumowanie pon. 7:00",
        defaults={"task": "reminders.weekly_summary", "crontab": monday},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__startswith="reminders.").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
