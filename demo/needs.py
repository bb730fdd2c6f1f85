"""Demo institutions and demo problems (the catalogues themselves ship with the app)."""

from typing import Any

from needs.models import Institution, ProblemCategory

INSTITUTIONS = [
    # name, kind, answer days, contact
    (
        "Urząd Miasta – Wydział Gospodarki Komunalnej",
        Institution.Kind.CITY_OFFICE,
        14,
        "Biuro obsługi mieszkańców, pn.–pt. 8:00–16:00",
    ),
    ("Zarząd Budynków Miejskich", Institution.Kind.HOUSING, 14, "Dział techniczny, zgłoszenia usterek"),
    ("Miejski Ośrodek Pomocy Społecznej", Institution.Kind.WELFARE, 10, "Punkt informacyjny, pn.–pt. 7:30–15:30"),
    ("Komisariat Policji – dzielnicowy", Institution.Kind.POLICE, 7, "Dzielnicowy rejonu Paruszowiec-Piaski"),
    ("Straż Miejska", Institution.Kind.CITY_GUARD, 7, "Dyżurny całodobowy"),
    ("Stowarzyszenie Sąsiedzkie „Razem”", Institution.Kind.NGO, 21, "Spotkania w Klubie Mieszkańca"),
    ("Ośrodek Wsparcia Ekonomii Społecznej", Institution.Kind.OWES, 21, "Doradztwo dla inicjatyw mieszkańców"),
    ("Zakład Zieleni Miejskiej", Institution.Kind.GREENERY, 21, "Zgłoszenia dot. drzew, trawników i placów zabaw"),
]

# Which demo institutions usually handle each shipped problem category.
USUAL = {
    "housing_repair": ["Zarząd Budynków Miejskich"],
    "lighting": ["Urząd Miasta – Wydział Gospodarki Komunalnej"],
    "cleanliness": ["Urząd Miasta – Wydział Gospodarki Komunalnej", "Straż Miejska"],
    "safety": ["Komisariat Policji – dzielnicowy", "Straż Miejska"],
    "greenery": ["Zakład Zieleni Miejskiej"],
    "social_help": ["Miejski Ośrodek Pomocy Społecznej"],
    "health": ["Miejski Ośrodek Pomocy Społecznej"],
    "community": ["Stowarzyszenie Sąsiedzkie „Razem”", "Ośrodek Wsparcia Ekonomii Społecznej"],
}


def seed_institutions() -> None:
    """Demo partner organisations, linked to the shipped problem categories (which migrate loads)."""
    institutions = {}
    for name, kind, days, contact in INSTITUTIONS:
        institutions[name], _ = Institution.objects.get_or_create(
            name=name, defaults={"kind": kind, "answer_days": days, "contact": contact}
        )
    for category in ProblemCategory.objects.filter(code__in=USUAL):
        category.institutions.add(*[institutions[n] for n in USUAL[category.code]])


PROBLEMS = [
    # key, category, place (index in duty.demo.PLACES), description, what happens next
    (
        "lamp",
        "lighting",
        0,
        "Od miesiąca nie świeci lampa nad wejściem na podwórko przy ul. Kolejowej; wieczorem jest zupełnie ciemno.",
        "answered",
    ),
    (
        "roof",
        "housing_repair",
        1,
        "Przecieka dach nad klatką schodową familoka, po deszczu woda stoi na schodach.",
        "forwarded_two",
    ),
    ("bins", "cleanliness", 3, "Przepełnione kosze przy sklepie, śmieci roznosi wiatr.", "resolved_told"),
    ("swing", "greenery", 5, "Zepsuta huśtawka na placu zabaw, wystaje śruba.", "overdue"),
    ("bench", "greenery", 2, "Brakuje desek w ławce przy kapliczce; seniorzy nie mają gdzie usiąść.", "new"),
    ("dark_path", "safety", 4, "Ciemna alejka w parku przy stawie, młodzież boi się wracać wieczorem.", "forwarded"),
    (
        "heating",
        "social_help",
        1,
        "Starsza sąsiadka z parteru nie radzi sobie z rachunkami za ogrzewanie.",
        "unresolvable",
    ),
    ("lamp_again", "lighting", 0, "Znowu ktoś mówi o lampie nad wejściem na podwórko.", "duplicate"),
    ("club_hours", "community", 6, "Mieszkańcy pytają, czy Klub mógłby być otwarty w soboty.", "waived"),
    ("graffiti", "cleanliness", 0, "Napisy na ścianie trzepakowni, dzieci pytają, czy mogą ją pomalować.", "new"),
]


def seed_problems(users: dict[str, Any]) -> None:
    """Demo problems at the demo places, in every state of the feedback loop (idempotent)."""
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from demo.duty import PLACES
    from duty.models import Place
    from needs import services
    from needs.models import Problem, Referral

    institutions = {i.name: i for i in Institution.objects.all()}
    zbm = institutions["Zarząd Budynków Miejskich"]
    city = institutions["Urząd Miasta – Wydział Gospodarki Komunalnej"]
    green = institutions["Zakład Zieleni Miejskiej"]
    guard = institutions["Straż Miejska"]
    mops = institutions["Miejski Ośrodek Pomocy Społecznej"]
    coordinator, assistant = users["koordynator"], users["asystent"]
    ns = uuid.UUID("6f3b1600-0000-4000-8000-000000000002")
    made: dict[str, Problem] = {}
    for key, category, place_index, description, fate in PROBLEMS:
        client_uuid = uuid.uuid5(ns, key)
        existing = Problem.objects.filter(client_uuid=client_uuid).first()
        if existing:
            made[key] = existing
            continue
        problem, _ = services.problem_report(
            category=ProblemCategory.objects.get(code=category),
            description=description,
            by=assistant,
            place=Place.objects.get(name=PLACES[place_index][0]),
            client_uuid=client_uuid,
        )
        made[key] = problem
        days_ago = 20
        if fate in ("answered", "forwarded_two", "resolved_told", "forwarded", "overdue"):
            target = {"roof": zbm, "bins": city, "swing": green, "dark_path": guard}.get(key, city)
            referral = services.problem_forward(
                problem=problem,
                institution=target,
                by=coordinator,
                sent_on=timezone.localdate() - timedelta(days=days_ago),
            )
            if fate == "forwarded_two":
                services.problem_forward(
                    problem=problem,
                    institution=mops,
                    by=coordinator,
                    internal_text="Sprawdzić, czy lokatorzy potrzebują pomocy.",
                )
            if fate == "overdue":
                Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - timedelta(days=4))
            if fate in ("answered", "resolved_told"):
                services.referral_record_answer(
                    referral=referral,
                    answer="Pismo z wydziału: naprawa zlecona wykonawcy.",
                    outcome=Referral.Outcome.WILL_FIX,
                    by=coordinator,
                    public_text="Urząd odpowiedział: naprawa została zlecona, wykonawca ma czas do końca miesiąca.",
                    resolve="resolved" if fate == "resolved_told" else "",
                )
            if fate == "resolved_told":
                services.problem_feedback_told(
                    problem=problem, by=assistant, note="Mieszkańcy ucieszyli się, że kosze są opróżniane."
                )
        elif fate == "unresolvable":
            services.problem_forward(problem=problem, institution=mops, by=coordinator)
            services.problem_set_status(
                problem=problem,
                status=Problem.Status.UNRESOLVABLE,
                by=coordinator,
                public_text="MOPS zaprasza na dyżur doradcy energetycznego; sama decyzja o dodatku należy do wnioskującego.",
            )
        elif fate == "duplicate":
            services.problem_merge(problem=problem, into=made["lamp"], by=coordinator)
        elif fate == "waived":
            services.problem_feedback_waive(
                problem=problem, by=coordinator, reason="Informacja wywieszona na drzwiach Klubu."
            )


OPEN311_CLIENT = "Miejski system zgłoszeń (demo)"


def seed_open311_key() -> str | None:
    """A random Open311 key for the demo client, made once per install; the new key, or None if one exists."""
    from needs.models import Open311Key

    if Open311Key.objects.filter(name=OPEN311_CLIENT).exists():
        return None
    _key, raw = Open311Key.issue(name=OPEN311_CLIENT)
    return raw
