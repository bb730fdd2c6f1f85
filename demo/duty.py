"""Demo places in a district like Paruszowiec-Piaski, and a few weeks of shifts and notes."""

import random
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from duty.models import ConversationNote, Place, Shift
from needs.models import Need

DEMO_NS = uuid.UUID("6f3b1600-0000-4000-8000-000000000001")

DISTRICT = "Paruszowiec-Piaski"

PLACES = [
    (
        "Podwórko familoków przy Kolejowej",
        Place.Kind.COURTYARD,
        "50.0957",
        "18.5236",
        "Wspólne podwórko trzech familoków, ławki pod lipą.",
    ),
    (
        "Podwórko familoka przy Hutniczej",
        Place.Kind.COURTYARD,
        "50.0949",
        "18.5262",
        "Mały dziedziniec z trzepakiem, dużo dzieci po szkole.",
    ),
    ("Ławka przy kapliczce", Place.Kind.BENCH, "50.0968", "18.5219", "Miejsce spotkań seniorów przed południem."),
    (
        "Sklep „Pod Lipą”",
        Place.Kind.SHOP,
        "50.0972",
        "18.5248",
        "Mały sklep spożywczy; mieszkańcy zatrzymują się przed wejściem.",
    ),
    ("Park Piaski", Place.Kind.PARK, "50.0931", "18.5290", "Alejka przy stawie, spacerowicze z psami i wózkami."),
    (
        "Plac zabaw przy szkole",
        Place.Kind.PLAYGROUND,
        "50.0940",
        "18.5205",
        "Plac zabaw, rodzice i dziadkowie z dziećmi.",
    ),
    (
        "Przed Klubem Mieszkańca",
        Place.Kind.CLUB,
        "50.0961",
        "18.5271",
        "Przed wejściem do Klubu; dobre miejsce, by zaprosić do środka.",
    ),
]


def seed_places() -> dict[str, Place]:
    places = {}
    for name, kind, lat, lon, description in PLACES:
        places[name], _ = Place.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "district": DISTRICT,
                "lat": Decimal(lat),
                "lon": Decimal(lon),
                "description": description,
            },
        )
    return places


NOTES = [
    (
        "first_contact",
        "adult",
        ["curiosity", "fear_of_obligation"],
        "Pytała, dlaczego kawa jest za darmo i czy trzeba coś podpisać. Wyjaśniłam, że nic.",
    ),
    (
        "first_contact",
        "senior",
        ["being_heard", "lasting_relations"],
        "Starszy pan z parteru opowiadał o dawnej kopalni; chętnie przyjdzie znowu.",
    ),
    (
        "using",
        "adult",
        ["childcare", "free_time"],
        "Mama dwójki dzieci szuka zajęć popołudniowych; dałam ulotkę Klubu.",
    ),
    (
        "using",
        "senior",
        ["problem_solving", "feedback"],
        "Sąsiadka pyta, co dalej z lampą na podwórku. Zgłoszone miesiąc temu.",
    ),
    ("discovery", "youth", ["curiosity"], "Dwóch chłopaków obserwowało rower z daleka, potem podeszli po herbatę."),
    (
        "using",
        "adult",
        ["limited_money", "problem_solving"],
        "Rozmowa o rachunkach za ogrzewanie; podałam godziny dyżuru MOPS.",
    ),
    (
        "sharing",
        "adult",
        ["integration", "active_time"],
        "Przyprowadziła dwie sąsiadki z klatki obok; chcą wspólnie posprzątać podwórko.",
    ),
    ("first_contact", "child", ["free_time", "active_time"], "Dzieci grały w klasy, pytały o animacje w piątek."),
    (
        "using",
        "senior",
        ["being_heard", "fear_of_contact"],
        "Długa rozmowa o samotności po śmierci męża; zaproszona na szachy w Klubie.",
    ),
    (
        "sharing",
        "senior",
        ["integration", "lasting_relations"],
        "Mówi, że powiedziała o dyżurach koleżankom z ławki przy kapliczce.",
    ),
    ("using", "adult", ["problem_solving"], "Przecieka dach nad klatką schodową, woda na schodach po każdym deszczu."),
    (
        "discovery",
        "adult",
        ["fear_of_contact"],
        "Pan przy sklepie przyglądał się, ale nie podszedł. Pomachał na pożegnanie.",
    ),
]

SUMMARIES = [
    "Spokojny dyżur, dużo seniorów przed południem. Temat: oświetlenie podwórka.",
    "Dzieci po szkole, animacje z kredą. Kilka nowych osób, pytania o Klub.",
    "Zimno, mniej osób. Rozmowy o ogrzewaniu i rachunkach.",
    "Sąsiedzi sami zaproponowali sprzątanie podwórka w sobotę.",
]


def _demo_uuid(key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NS, key)


def _shift(key: str, place: Place, start: datetime, hours: float, assistants: list[Any], **fields: Any) -> Shift:
    shift = Shift.objects.filter(client_uuid=_demo_uuid(key)).first()
    if shift is None:
        shift = Shift.objects.create(
            client_uuid=_demo_uuid(key),
            place=place,
            planned_start=start,
            planned_end=start + timedelta(hours=hours),
            **fields,
        )
        shift.assistants.set(assistants)
    return shift


def seed(users: dict[str, Any]) -> None:
    places = list(seed_places().values())
    rng = random.Random(2026)  # the same demo every time
    needs = {n.code: n for n in Need.objects.all()}
    today = timezone.localdate()
    team = [users["asystent"], users["asystent2"]]
    # Four weeks of ended shifts, three a week.
    for week in range(4, 0, -1):
        for slot, weekday in enumerate((0, 2, 4)):
            day = today - timedelta(days=7 * week) + timedelta(days=weekday - today.weekday())
            start = timezone.make_aware(datetime.combine(day, time(10 + 3 * (slot % 2), 0)))
            place = places[(week * 3 + slot) % len(places)]
            key = f"past-{day.isoformat()}-{slot}"
            counts = {c: rng.randint(2, 25) for c in ("coffee", "snacks", "adults")}
            shift = _shift(
                key,
                place,
                start,
                2,
                [team[slot % 2]] if slot else team,
                status=Shift.Status.ENDED,
                started_at=start,
                ended_at=start + timedelta(hours=2),
                children=rng.randint(0, 12),
                first_time=rng.randint(0, 5),
                returning=rng.randint(1, 8),
                weather=rng.choice(Shift.Weather.values),
                touchpoints=["bike", "coffee", "assistant"],
                summary=SUMMARIES[(week + slot) % len(SUMMARIES)],
                **counts,
            )
            for n in range(rng.randint(2, 4)):
                stage, age, codes, text = NOTES[(week * 7 + slot * 3 + n) % len(NOTES)]
                note_key = _demo_uuid(f"{key}-note-{n}")
                if ConversationNote.objects.filter(client_uuid=note_key).exists():
                    continue
                note = ConversationNote.objects.create(
                    client_uuid=note_key,
                    shift=shift,
                    place=place,
                    date=day,
                    stage=stage,
                    age_band=age,
                    text=text,
                    wants_follow_up=n == 0 and week == 1,
                    touchpoint="coffee",
                    created_by=shift.assistants.first(),
                    created_at=start + timedelta(minutes=20 * (n + 1)),
                )
                note.needs.set([needs[c] for c in codes if c in needs])
    # Today: a planned shift for the demo assistant, so the demo shows the start button.
    courtyard = Place.objects.get(name=PLACES[0][0])
    _shift(
        f"today-{today.isoformat()}",
        courtyard,
        timezone.make_aware(datetime.combine(today, time(10))),
        8,
        [users["asystent"]],
    )
    tomorrow = today + timedelta(days=1)
    _shift(
        f"tomorrow-empty-{tomorrow.isoformat()}",
        places[3],
        timezone.make_aware(datetime.combine(tomorrow, time(11))),
        2,
        [],
    )
    later = today + timedelta(days=2)
    _shift(f"shared-{later.isoformat()}", places[4], timezone.make_aware(datetime.combine(later, time(15))), 2, team)
    _shift(
        f"next-{later.isoformat()}",
        places[5],
        timezone.make_aware(datetime.combine(later + timedelta(days=2), time(10))),
        2,
        [users["asystent2"]],
    )
