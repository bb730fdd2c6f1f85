"""The model card's cost figures as editable defaults, and the monthly report on the beat schedule.

The card gives ranges: a used food bike with its equipment 5,000–20,000 zł, a coffee machine
2,500–4,500 zł; supplies 200 zł and Club materials 400 zł a month; two assistants at half-time
× 3,000 zł. The defaults take the middle of each range; coordinators change them in the admin.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

TZ = "Europe/Warsaw"


def defaults(apps, schema_editor):
    Investment = apps.get_model("insight", "Investment")
    MonthlyCost = apps.get_model("insight", "MonthlyCost")
    CostSettings = apps.get_model("insight", "CostSettings")
    start = date.today().replace(month=1, day=1)
    if not Investment.objects.exists():
        Investment.objects.create(
            name="Rower gastronomiczny z wyposażeniem", amount=Decimal("12500"), bought_on=start, amortisation_months=60
        )
        Investment.objects.create(name="Ekspres do kawy", amount=Decimal("3500"), bought_on=start, amortisation_months=36)
    if not MonthlyCost.objects.exists():
        MonthlyCost.objects.create(kind="supplies", name="Kawa, herbata, ciasteczka, naczynia", amount=Decimal("200"), valid_from=start)
        MonthlyCost.objects.create(kind="club", name="Materiały na zajęcia i animacje", amount=Decimal("400"), valid_from=start)
        MonthlyCost.objects.create(
            kind="salaries", name="Dwoje asystentów, po ½ etatu × 3000 zł", amount=Decimal("3000"), valid_from=start
        )
    if not CostSettings.objects.exists():
        CostSettings.objects.create()
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
