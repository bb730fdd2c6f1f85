"""The service types shipped with the app: the OWES standard and the usual social services.

Loaded after every ``migrate`` (and by ``manage.py load_catalogues``) with ``get_or_create`` by
code: a type a coordinator has renamed or switched off stays as they left it. Names are Polish;
the English is in the catalogue's translations.
"""

from typing import Any

from django.utils.translation import gettext_noop

# code, name (Polish), English (for translators), is part of the OWES standard
SERVICE_TYPES: list[tuple[str, str, str, bool]] = [
    ("local_animation", "Animacja lokalna", gettext_noop("Local animation"), True),
    ("general_advice", "Doradztwo ogólne", gettext_noop("General advice"), True),
    ("business_advice", "Doradztwo biznesowe", gettext_noop("Business advice"), True),
    ("financial_support", "Wsparcie finansowe", gettext_noop("Financial support"), True),
    (
        "training_specialist_advice",
        "Szkolenia i doradztwo specjalistyczne",
        gettext_noop("Training and specialist advice"),
        True,
    ),
    ("social_welfare", "Pomoc społeczna", gettext_noop("Social welfare"), False),
    ("housing", "Mieszkanie", gettext_noop("Housing"), False),
    ("health", "Zdrowie", gettext_noop("Health"), False),
    ("work", "Praca", gettext_noop("Work"), False),
    ("childcare", "Opieka nad dziećmi", gettext_noop("Childcare"), False),
    ("debt_advice", "Doradztwo w sprawie długów", gettext_noop("Debt advice"), False),
]


def load_service_types(service_type_model: Any) -> int:
    """Create the missing types; never touch existing ones. Returns how many were created."""
    created = 0
    for order, (code, name, _english, owes) in enumerate(SERVICE_TYPES):
        _obj, made = service_type_model.objects.get_or_create(
            code=code, defaults={"name": name, "owes_standard": owes, "order": order}
        )
        created += made
    return created


def load(apps: Any) -> dict[str, int]:
    """This app's part of ``load_catalogues``: how many rows of each catalogue were created."""
    return {"service types": load_service_types(apps.get_model("bundles", "ServiceType"))}
