"""The model card's cost figures as editable defaults (insight/defaults.py), and the monthly
report on the beat schedule."""

from datetime import date

from django.db import migrations

from insight.defaults import model_card_defaults

TZ = "Europe/Warsaw"


def defaults(apps, schema_editor):
    model_card_defaults(
        apps.get_model("insight", "Investment"),
        apps.get_model("insight", "MonthlyCost"),
        apps.get_model("insight", "CostSettings"),
        start=date.today().replace(month=1, day=1),
    )
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    monthly, _ = Crontab.objects.get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="1", month_of_year="*", timezone=TZ
    )
    Task.objects.update_or_create(
        name="Raport dla grantodawców: 1. dnia miesiąca 6:00",
        defaults={"task": "insight.send_monthly_report", "crontab": monthly},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task__startswith="insight.").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(defaults, remove_schedule)]
