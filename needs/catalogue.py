"""The needs catalogue and the problem categories shipped with the app.

Loaded after every ``migrate`` (and by ``manage.py load_catalogues``) with ``get_or_create`` by
code: a row a coordinator has renamed, re-routed or switched off stays as they left it. Names are
Polish; the English is in the catalogue's translations. Institution kinds are
``Institution.Kind``; a category names the kinds that usually handle it.
"""

from typing import Any

from django.utils.translation import gettext_noop

# Needs and pains of the service blueprint: code, name (Polish), English (for translators).
NEEDS: list[tuple[str, str, str]] = [
    ("integration", "Integracja z sąsiadami", gettext_noop("Integration with neighbours")),
    ("free_time", "Wypełnienie wolnego czasu", gettext_noop("Filling free time")),
    ("being_heard", "Rozmowa i bycie wysłuchanym", gettext_noop("Conversation and being heard")),
    ("lasting_relations", "Trwałe relacje", gettext_noop("Lasting relations")),
    ("feedback", "Informacja zwrotna", gettext_noop("Getting feedback")),
    ("problem_solving", "Rozwiązanie problemu", gettext_noop("Having problems solved")),
    ("limited_money", "Ograniczone środki finansowe", gettext_noop("Limited money")),
    ("childcare", "Stała opieka nad dziećmi", gettext_noop("Constant childcare")),
    ("fear_of_contact", "Lęk przed kontaktem z nowymi osobami", gettext_noop("Fear of contact with new people")),
    (
        "fear_of_obligation",
        "Obawa, że trzeba będzie coś dać w zamian",
        gettext_noop("Fear of having to give something back"),
    ),
    ("curiosity", "Ciekawość", gettext_noop("Curiosity")),
    ("active_time", "Aktywny czas ze znajomymi", gettext_noop("Active time with friends")),
]

# Problem categories: code, name (Polish), English, institution kinds that usually handle it,
# never public (safety, health and welfare are not published in Open311).
PROBLEM_CATEGORIES: list[tuple[str, str, str, list[str], bool]] = [
    ("housing_repair", "Remont w lokalu komunalnym", gettext_noop("Repair in a municipal flat"), ["housing"], False),
    ("lighting", "Oświetlenie", gettext_noop("Lighting"), ["city_office"], False),
    ("cleanliness", "Czystość i odpady", gettext_noop("Cleanliness and waste"), ["city_office", "city_guard"], False),
    ("safety", "Bezpieczeństwo", gettext_noop("Safety"), ["police", "city_guard"], True),
    ("greenery", "Zieleń i plac zabaw", gettext_noop("Greenery and playgrounds"), ["greenery"], False),
    ("social_help", "Pomoc społeczna", gettext_noop("Social welfare"), ["welfare"], True),
    ("health", "Zdrowie", gettext_noop("Health"), ["health"], True),
    ("community", "Inicjatywy mieszkańców", gettext_noop("Residents' initiatives"), ["ngo", "owes"], False),
    ("other", "Inne", gettext_noop("Other"), [], False),
]


def _present(model: Any, defaults: dict[str, Any]) -> dict[str, Any]:
    # A partial migrate (to an older state) may lack a field this version ships.
    names = {f.name for f in model._meta.get_fields()}
    return {k: v for k, v in defaults.items() if k in names}


def load_needs(need_model: Any) -> int:
    """Create the missing needs; never touch existing ones. Returns how many were created."""
    created = 0
    for order, (code, name, _english) in enumerate(NEEDS):
        _obj, made = need_model.objects.get_or_create(code=code, defaults={"name": name, "order": order})
        created += made
    return created


def load_problem_categories(category_model: Any) -> int:
    """Create the missing categories; never touch existing ones. Returns how many were created."""
    created = 0
    for order, (code, name, _english, kinds, never_public) in enumerate(PROBLEM_CATEGORIES):
        defaults = {"name": name, "order": order, "institution_kinds": kinds, "never_public": never_public}
        _obj, made = category_model.objects.get_or_create(code=code, defaults=_present(category_model, defaults))
        created += made
    return created


def load(apps: Any) -> dict[str, int]:
    """This app's part of ``load_catalogues``: how many rows of each catalogue were created."""
    return {
        "needs": load_needs(apps.get_model("needs", "Need")),
        "problem categories": load_problem_categories(apps.get_model("needs", "ProblemCategory")),
    }
