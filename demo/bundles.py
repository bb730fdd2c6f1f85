"""Demo partners, their services and three bundles: two complete, one not yet (seed_demo's part).

Idempotent: partners by name, services by partner and name, bundles by name. Partners that the
needs demo already made (MOPS, the housing administration, OWES, the neighbours' association)
only get the public details they lack.
"""

from typing import Any

from bundles.models import Bundle, Service, ServiceType
from needs.models import Institution, Need

PARTNERS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "Ośrodek Wsparcia Ekonomii Społecznej",
        Institution.Kind.OWES,
        {
            "address": "ul. Zamkowa 20, Rybnik",
            "opening_hours": "pn.–pt. 8:00–16:00",
            "website": "https://owes.example.org/",
        },
    ),
    (
        "Miejski Ośrodek Pomocy Społecznej",
        Institution.Kind.WELFARE,
        {"address": "ul. Żużlowa 25, Rybnik", "opening_hours": "pn.–pt. 7:30–15:30"},
    ),
    (
        "Zarząd Budynków Miejskich",
        Institution.Kind.HOUSING,
        {"address": "ul. Jankowicka 1, Rybnik", "opening_hours": "pn. 8:00–17:00, wt.–pt. 7:30–15:30"},
    ),
    (
        "Stowarzyszenie Sąsiedzkie „Razem”",
        Institution.Kind.NGO,
        {"address": "Klub Mieszkańca, ul. Kolejowa", "opening_hours": "wt. i czw. 16:00–19:00"},
    ),
    (
        "Fundacja „Dobry Adres”",
        Institution.Kind.NGO,
        {"address": "ul. Hutnicza 3, Rybnik", "opening_hours": "pn.–pt. 10:00–14:00"},
    ),
    (
        "Spółdzielnia Socjalna „Familok”",
        Institution.Kind.SOCIAL_ENTERPRISE,
        {"address": "ul. Kolejowa 12, Rybnik", "opening_hours": "pn.–sob. 11:00–17:00"},
    ),
]

SERVICES: list[dict[str, Any]] = [
    # Limited money: a complete bundle (MOPS, ZBM, the foundation, the cooperative).
    {
        "partner": "Miejski Ośrodek Pomocy Społecznej",
        "name": "Zasiłek celowy na opał i rachunki",
        "type": "social_welfare",
        "how_to_get": "Przyjść do punktu informacyjnego MOPS z dowodem osobistym; pracownik socjalny umówi wizytę.",
        "who_may_use": "Osoby i rodziny, którym nie starcza na opał, prąd lub leki.",
        "needs": ["limited_money", "problem_solving"],
        "public": True,
    },
    {
        "partner": "Zarząd Budynków Miejskich",
        "name": "Rozłożenie zaległości czynszowych na raty",
        "type": "housing",
        "how_to_get": "Wniosek w biurze obsługi ZBM, wystarczy przyjść z umową najmu.",
        "who_may_use": "Najemcy mieszkań komunalnych z zaległościami w czynszu.",
        "needs": ["limited_money"],
        "public": True,
    },
    {
        "partner": "Fundacja „Dobry Adres”",
        "name": "Bezpłatna porada w sprawie długów",
        "type": "debt_advice",
        "how_to_get": "Wtorki 10–12, bez zapisów. Warto zabrać pisma od wierzycieli.",
        "needs": ["limited_money", "problem_solving"],
        "public": True,
    },
    {
        "partner": "Spółdzielnia Socjalna „Familok”",
        "name": "Obiad za 10 zł w barze spółdzielni",
        "type": "social_welfare",
        "free": False,
        "how_to_get": "Codziennie 12–15, wystarczy przyjść; z kartą z MOPS obiad za darmo.",
        "needs": ["limited_money"],
        "public": True,
    },
    {
        "partner": "Miejski Ośrodek Pomocy Społecznej",
        "name": "Szybka ścieżka: pracownik socjalny rejonu",
        "type": "social_welfare",
        "how_to_get": "Asystent zgłasza sprawę koordynatorce, która umawia pracownika socjalnego rejonu.",
        "needs": ["limited_money", "being_heard"],
        "public": False,
        "description": "Tylko dla zespołu: uzgodnione z kierownikiem działu pomocy środowiskowej.",
    },
    # A family with small children and nowhere to go: complete (NGO, cooperative, OWES).
    {
        "partner": "Stowarzyszenie Sąsiedzkie „Razem”",
        "name": "Świetlica podwórkowa dla dzieci",
        "type": "childcare",
        "how_to_get": "Wtorki i czwartki 16–19 w Klubie Mieszkańca, bez zapisów.",
        "who_may_use": "Dzieci od 6 do 12 lat.",
        "needs": ["childcare", "free_time"],
        "public": True,
    },
    {
        "partner": "Spółdzielnia Socjalna „Familok”",
        "name": "Bawialnia z opiekunką na 2 godziny",
        "type": "childcare",
        "free": False,
        "how_to_get": "Pn.–sob. 11–17, zapisy na miejscu dzień wcześniej.",
        "who_may_use": "Dzieci od 2 do 6 lat.",
        "needs": ["childcare"],
        "public": True,
    },
    {
        "partner": "Ośrodek Wsparcia Ekonomii Społecznej",
        "name": "Wsparcie dla grupy rodziców, którzy chcą założyć klub malucha",
        "type": "local_animation",
        "how_to_get": "Animator OWES przychodzi na spotkanie w Klubie Mieszkańca; wystarczy powiedzieć asystentowi.",
        "needs": ["childcare", "integration", "active_time"],
        "public": True,
    },
    # A lonely senior: not yet complete (two services, one type).
    {
        "partner": "Stowarzyszenie Sąsiedzkie „Razem”",
        "name": "Odwiedziny wolontariuszy u seniorów",
        "type": "social_welfare",
        "how_to_get": "Powiedzieć asystentowi przy rowerze albo przyjść do Klubu we wtorek.",
        "needs": ["being_heard", "lasting_relations"],
        "public": True,
    },
    {
        "partner": "Miejski Ośrodek Pomocy Społecznej",
        "name": "Usługi opiekuńcze w domu",
        "type": "social_welfare",
        "how_to_get": "Wniosek w MOPS; pracownik socjalny przychodzi na wywiad.",
        "needs": ["being_heard"],
        "public": True,
    },
    # Not in any bundle yet.
    {
        "partner": "Ośrodek Wsparcia Ekonomii Społecznej",
        "name": "Doradztwo dla mieszkańców, którzy chcą założyć spółdzielnię socjalną",
        "type": "business_advice",
        "how_to_get": "Umówić się w OWES, pn.–pt. 8–16.",
        "needs": ["curiosity", "active_time"],
        "public": True,
    },
]

BUNDLES: list[dict[str, Any]] = [
    {
        "name": "Nie starcza do pierwszego",
        "needs": ["limited_money"],
        "stage": Bundle.Stage.IMPLEMENTATION,
        "services": [
            "Zasiłek celowy na opał i rachunki",
            "Rozłożenie zaległości czynszowych na raty",
            "Bezpłatna porada w sprawie długów",
            "Obiad za 10 zł w barze spółdzielni",
        ],
        "canvas": {
            "customer_segments": "Rodziny i osoby starsze z familoków, którym nie starcza na opał i czynsz.",
            "value_proposition": "Jedna rozmowa przy kawie i plan na długi, czynsz, rachunki i ciepły posiłek.",
            "channels": "Asystent przy rowerze, karta z kodem QR, Klub Mieszkańca.",
            "customer_relationships": "Zaufanie budowane na dyżurach; asystent idzie z mieszkańcem do MOPS.",
            "revenue_streams": "Zadania własne gminy (MOPS, ZBM), dotacja dla fundacji, sprzedaż obiadów.",
            "key_resources": "Pracownik socjalny rejonu, doradca fundacji, bar spółdzielni.",
            "key_activities": "Rozpoznanie przy kawie, umówienie wizyty, porada, rozłożenie długu na raty.",
            "key_partners": "MOPS, ZBM, Fundacja „Dobry Adres”, Spółdzielnia „Familok”, OWES.",
            "cost_structure": "Czas pracowników (stały), obiady (zmienny), koordynacja OWES.",
        },
    },
    {
        "name": "Rodzina z małymi dziećmi bez miejsca do spędzania czasu",
        "needs": ["childcare", "free_time"],
        "stage": Bundle.Stage.PROTOTYPE,
        "services": [
            "Świetlica podwórkowa dla dzieci",
            "Bawialnia z opiekunką na 2 godziny",
            "Wsparcie dla grupy rodziców, którzy chcą założyć klub malucha",
        ],
        "canvas": {
            "customer_segments": "Rodzice małych dzieci z podwórek przy Kolejowej i Hutniczej.",
            "value_proposition": "Chwila dla siebie i bezpieczne miejsce dla dzieci blisko domu.",
            "channels": "Animacje przy rowerze, plakat Klubu.",
        },
    },
    {
        "name": "Samotny senior",
        "needs": ["being_heard", "lasting_relations"],
        "stage": Bundle.Stage.CHALLENGE,
        "services": ["Odwiedziny wolontariuszy u seniorów", "Usługi opiekuńcze w domu"],
        "canvas": {"customer_segments": "Osoby starsze mieszkające same, spotykane na ławce przy kapliczce."},
    },
]


def seed() -> None:
    partners: dict[str, Institution] = {}
    for name, kind, details in PARTNERS:
        partner, _created = Institution.objects.get_or_create(name=name, defaults={"kind": kind, **details})
        missing = [f for f, v in details.items() if not getattr(partner, f)]
        for f in missing:
            setattr(partner, f, details[f])
        if missing:
            partner.save(update_fields=missing)
        partners[name] = partner
    types = {t.code: t for t in ServiceType.objects.all()}
    needs = {n.code: n for n in Need.objects.all()}
    services: dict[str, Service] = {}
    for spec in SERVICES:
        spec = dict(spec)
        partner = partners[spec.pop("partner")]
        codes = spec.pop("needs")
        spec["type"] = types[spec["type"]]
        service, _created = Service.objects.get_or_create(partner=partner, name=spec.pop("name"), defaults=spec)
        service.needs.set([needs[c] for c in codes if c in needs])
        services[service.name] = service
    for spec in BUNDLES:
        bundle, _created = Bundle.objects.get_or_create(
            name=spec["name"], defaults={"stage": spec["stage"], **spec["canvas"]}
        )
        bundle.needs.set([needs[c] for c in spec["needs"] if c in needs])
        bundle.services.set([services[n] for n in spec["services"]])
