"""The model card's cost figures (seed 002): the defaults a new installation starts with.

The card gives ranges: a used food bike with its equipment 5,000–20,000 zł, a coffee machine
2,500–4,500 zł; supplies 200 zł and Club materials 400 zł a month; two assistants at half-time
× 3,000 zł. The defaults take the middle of each range; coordinators change them in the admin.
Takes the model classes, so that the data migration can pass its historical ones.
"""

from datetime import date
from decimal import Decimal
from typing import Any


def model_card_defaults(investment: Any, monthly_cost: Any, cost_settings: Any, *, start: date) -> None:
    if not investment.objects.exists():
        investment.objects.create(
            name="Rower gastronomiczny z wyposażeniem", amount=Decimal("12500"), bought_on=start, amortisation_months=60
        )
        investment.objects.create(
            name="Ekspres do kawy", amount=Decimal("3500"), bought_on=start, amortisation_months=36
        )
    if not monthly_cost.objects.exists():
        monthly_cost.objects.create(
            kind="supplies", name="Kawa, herbata, ciasteczka, naczynia", amount=Decimal("200"), valid_from=start
        )
        monthly_cost.objects.create(
            kind="club", name="Materiały na zajęcia i animacje", amount=Decimal("400"), valid_from=start
        )
        monthly_cost.objects.create(
            kind="salaries", name="Dwoje asystentów, po ½ etatu × 3000 zł", amount=Decimal("3000"), valid_from=start
        )
    if not cost_settings.objects.exists():
        cost_settings.objects.create()
