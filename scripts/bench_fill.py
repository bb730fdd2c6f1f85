"""Bulk fill of a benchmark database with INSERT … SELECT generate_series: no ORM, no signals.

Two volumes: ``small`` (about the demo plus a season of work) and ``large`` (a city's year:
1M notes, 200k problems, 400k referrals, 100k shifts, 50k club sessions). A database is filled
once and reused: the fill runs only while the notes table holds fewer rows than the volume asks.
"""

import json
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

VOLUMES = {
    "small": {
        "places": 40,
        "shifts": 3_000,
        "notes": 30_000,
        "problems": 5_000,
        "referrals": 10_000,
        "sessions": 4_000,
    },
    "large": {
        "places": 400,
        "shifts": 100_000,
        "notes": 1_000_000,
        "problems": 200_000,
        "referrals": 400_000,
        "sessions": 50_000,
    },
}

# Words of the notes: real Polish, so that full-text search has something to find and to miss.
WORDS = [
    "remont",
    "klatki",
    "schodowej",
    "zajęcia",
    "dla",
    "dzieci",
    "lampa",
    "nie",
    "świeci",
    "podwórko",
    "familoka",
    "sąsiadka",
    "z",
    "parteru",
    "śmieci",
    "przy",
    "wiacie",
    "ławka",
    "połamana",
    "pies",
    "bez",
    "smyczy",
    "kawa",
    "herbata",
    "rower",
    "opiekunka",
    "senior",
    "samotność",
    "pomoc",
    "w",
    "urzędzie",
    "rachunek",
    "za",
    "prąd",
    "wilgoć",
    "w",
    "mieszkaniu",
    "grzyb",
    "na",
    "ścianie",
    "kominek",
    "dym",
    "piec",
    "węglowy",
    "plac",
    "zabaw",
    "huśtawka",
    "piaskownica",
    "boisko",
    "młodzież",
    "wieczorem",
    "hałas",
    "sklep",
    "apteka",
    "przychodnia",
    "lekarz",
    "autobus",
    "przystanek",
    "chodnik",
    "dziura",
    "kałuża",
    "zieleń",
    "drzewo",
    "krzaki",
    "ogródek",
    "działka",
    "klub",
    "mieszkańców",
    "warsztaty",
    "szycie",
    "gotowanie",
    "gry",
    "planszowe",
    "wycieczka",
    "kino",
    "festyn",
    "sprzątanie",
    "wolontariat",
    "praca",
    "zasiłek",
    "mops",
    "opał",
    "zima",
    "mróz",
    "upał",
    "woda",
    "kanalizacja",
    "dach",
    "okno",
    "drzwi",
    "domofon",
    "skrzynka",
    "poczta",
]


def _scalar(sql: str, params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return int(cursor.fetchone()[0])


def filled(volume: str) -> bool:
    return _scalar("SELECT count(*) FROM duty_conversationnote") >= VOLUMES[volume]["notes"]


def _sql_literal(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list | dict):
        return "'" + json.dumps(value).replace("'", "''") + "'::jsonb"
    if isinstance(value, datetime):
        return "now()"
    return None


def _database_defaults() -> list[str]:
    """Give every NOT NULL column that has a Python default a database default for the fill.

    The INSERTs below name the columns they know; a column another change adds later still gets
    its model's default, so the fill keeps working as the schema grows. Returns the statements
    that drop those defaults again.
    """
    from django.apps import apps

    undo = []
    with connection.cursor() as c:
        for label in ("duty", "needs", "club"):
            for model in apps.get_app_config(label).get_models():
                for f in model._meta.concrete_fields:
                    if f.null or not f.has_default() or f.primary_key:
                        continue
                    literal = _sql_literal(f.get_default())
                    if literal is None:
                        continue
                    table, column = model._meta.db_table, f.column
                    c.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {literal}')
                    undo.append(f'ALTER TABLE {table} ALTER COLUMN "{column}" DROP DEFAULT')
    return undo


@transaction.atomic
def fill(volume: str) -> None:
    """Top the database up to the volume (after seed_demo made users and catalogues)."""
    undo = _database_defaults()
    _fill(volume)
    with connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no ALTER TABLE while foreign-key checks are pending
        for statement in undo:
            c.execute(statement)


def _fill(volume: str) -> None:
    v = VOLUMES[volume]
    words = "ARRAY[" + ",".join("'" + w.replace("'", "''") + "'" for w in WORDS) + "]::text[]"
    n_words = len(WORDS)
    with connection.cursor() as c:
        c.execute("SET synchronous_commit TO off")
        c.execute("SELECT id FROM core_user WHERE username = 'asystent'")
        assistant = c.fetchone()[0]
        c.execute("SELECT id FROM core_user WHERE username = 'koordynator'")
        coordinator = c.fetchone()[0]
        # Places
        c.execute(
            f"""INSERT INTO duty_place (name, kind, district, description, active, lat, lon)
               SELECT 'Miejsce ' || g, (ARRAY['courtyard','bench','shop','park','playground'])[1 + g % 5],
                      'Dzielnica ' || (g % 12), '', true, 50.25 + (g % 100) / 1000.0, 19.0 + (g % 77) / 1000.0
               FROM generate_series(1, {v["places"]}) g ON CONFLICT (name) DO NOTHING"""
        )
        c.execute("SELECT min(id), max(id) FROM duty_place WHERE name LIKE 'Miejsce %'")
        p_min, p_max = c.fetchone()
        n_places = p_max - p_min + 1
        # Shifts: every 15 minutes backwards from now, ended (the newest few are planned).
        c.execute("SELECT coalesce(max(id), 0) FROM duty_shift")
        s_base = c.fetchone()[0]
        c.execute(
            f"""INSERT INTO duty_shift (place_id, planned_start, planned_end, status, started_at, ended_at,
                      weather, touchpoints, summary, coffee, snacks, children, adults, first_time, "returning",
                      created_by_id, created_at, client_fingerprint)
               SELECT {p_min} + g % {n_places}, now() - g * interval '15 minutes',
                      now() - g * interval '15 minutes' + interval '2 hours', 'ended',
                      now() - g * interval '15 minutes', now() - g * interval '15 minutes' + interval '2 hours',
                      'sunny', '[]'::jsonb, 'Spokojny dyżur, dużo rozmów o remontach.',
                      g % 30, g % 7, g % 9, g % 12, g % 4, g % 5, {coordinator}, now(), ''
               FROM generate_series(1, {v["shifts"]}) g"""
        )
        c.execute(
            f"INSERT INTO duty_shift_assistants (shift_id, user_id) SELECT id, {assistant} FROM duty_shift WHERE id > {s_base}"
        )
        c.execute(f"SELECT min(id), max(id) FROM duty_shift WHERE id > {s_base}")
        sh_min, sh_max = c.fetchone()
        n_shifts = sh_max - sh_min + 1
        # Notes: ten per shift, text made of eight words picked by a hash of the row number.
        c.execute("SELECT coalesce(max(id), 0) FROM duty_conversationnote")
        n_base = c.fetchone()[0]
        c.execute(
            f"""INSERT INTO duty_conversationnote (shift_id, place_id, date, source, stage, touchpoint, age_band,
                      text, wants_follow_up, created_by_id, created_at, client_fingerprint)
               SELECT s.id, s.place_id, (s.planned_start AT TIME ZONE 'Europe/Warsaw')::date, 'shift',
                      (ARRAY['discovery','first_contact','using','sharing'])[1 + g % 4], '',
                      (ARRAY['child','youth','adult','senior','unknown'])[1 + g % 5],
                      array_to_string(ARRAY(SELECT ({words})[1 + ((g::bigint * 7919 + k * 104729) % {n_words})]
                                            FROM generate_series(1, 8) k), ' '),
                      g % 997 = 0, {assistant}, s.planned_start + (g % 10) * interval '10 minutes', ''
               FROM generate_series(0, {v["notes"]} - 1) g
               JOIN duty_shift s ON s.id = {sh_min} + (g / 10) % {n_shifts}"""
        )
        c.execute(
            f"""INSERT INTO duty_conversationnote_needs (conversationnote_id, need_id)
               SELECT n.id, (SELECT array_agg(id ORDER BY id) FROM needs_need)[1 + n.id % (SELECT count(*) FROM needs_need)]
               FROM duty_conversationnote n WHERE n.id > {n_base}"""
        )
        # Problems: one every 15 minutes backwards; most settled and told, some forwarded, a few new.
        c.execute("SELECT coalesce(max(id), 0) FROM needs_problem")
        pr_base = c.fetchone()[0]
        c.execute(
            f"""INSERT INTO needs_problem (code, category_id, place_id, location, description, source, reported_at,
                      reported_by_id, status, feedback, feedback_waived_reason, untold_since, updated_at,
                      client_fingerprint, public_summary)
               SELECT 'B' || lpad(to_hex({pr_base} + g), 7, '0'),
                      (SELECT array_agg(id ORDER BY id) FROM needs_problemcategory)[1 + g % (SELECT count(*) FROM needs_problemcategory)],
                      {p_min} + g % {n_places}, '', 'Nie świeci lampa przy wejściu do familoka.', 'note',
                      now() - g * interval '15 minutes', {coordinator},
                      CASE WHEN g % 20 = 0 THEN 'new' WHEN g % 20 < 4 THEN 'forwarded'
                           WHEN g % 20 < 6 THEN 'in_progress' ELSE 'resolved' END,
                      CASE WHEN g % 20 < 6 THEN 'pending' ELSE 'told' END, '',
                      CASE WHEN g % 50 = 1 THEN now() - g * interval '15 minutes' END, now(), '', ''
               FROM generate_series(1, {v["problems"]}) g"""
        )
        c.execute(
            f"""INSERT INTO needs_problemevent (problem_id, kind, at, by_id, status_after, public_text, internal_text)
               SELECT id, 'reported', reported_at, reported_by_id, '', 'Zgłoszenie przyjęte.', ''
               FROM needs_problem WHERE id > {pr_base}"""
        )
        # Referrals: two per problem while there are referrals to make; 1 in 40 still unanswered.
        per = max(1, v["referrals"] // v["problems"])
        c.execute(
            f"""INSERT INTO needs_referral (problem_id, institution_id, channel, sent_on, due_on, answer, answered_on,
                      outcome, created_by_id, created_at)
               SELECT p.id,
                      (SELECT array_agg(id ORDER BY id) FROM needs_institution)[1 + (p.id + k) % (SELECT count(*) FROM needs_institution)],
                      'email', p.reported_at::date, p.reported_at::date + 14,
                      CASE WHEN (p.id + k) % 40 = 0 THEN '' ELSE 'Przyjęte do realizacji.' END,
                      CASE WHEN (p.id + k) % 40 = 0 THEN NULL ELSE p.reported_at::date + 10 END,
                      CASE WHEN (p.id + k) % 40 = 0 THEN 'pending' ELSE 'will_fix' END, {coordinator}, p.reported_at
               FROM needs_problem p CROSS JOIN generate_series(1, {per}) k WHERE p.id > {pr_base}"""
        )
        # Club: one weekly activity per room-hour, sessions every 6 hours backwards and forwards.
        c.execute("INSERT INTO club_room (name, active) VALUES ('Sala benchmarku', true) ON CONFLICT (name) DO NOTHING")
        c.execute("SELECT id FROM club_room WHERE name = 'Sala benchmarku'")
        room = c.fetchone()[0]
        c.execute(
            f"""INSERT INTO club_activity (title, kind, audience, leader_name, room_id, description, public, recurrence,
                      starts_on, weekdays, every_n_weeks, start_time, end_time, created_at)
               VALUES ('Zajęcia benchmarku', 'hobby', 'all', 'Ania', {room}, '', true, 'once', now()::date, '[]', 1,
                       '10:00', '11:30', now()) RETURNING id"""
        )
        activity = c.fetchone()[0]
        # One an hour; the last ones (at most 1,500 hours, about two months) still ahead.
        ahead = min(1500, v["sessions"] // 10)
        c.execute(
            f"""INSERT INTO club_session (activity_id, starts_at, ends_at, room_id, leader_name, detached, cancelled,
                      cancel_reason, sequence, attendance_recorded_at, children, adults)
               SELECT {activity}, date_trunc('hour', now()) + (g - {v["sessions"] - ahead}) * interval '1 hour',
                      date_trunc('hour', now()) + (g - {v["sessions"] - ahead}) * interval '1 hour' + interval '50 minutes',
                      {room}, 'Ania', false, false, '', 0,
                      CASE WHEN g % 3 = 0 THEN NULL ELSE now() END, g % 11, g % 6
               FROM generate_series(1, {v["sessions"]}) g"""
        )
    with connection.cursor() as c:
        c.execute("ANALYZE")


def busy_shift(assistant: Any) -> Any:
    """The assistant's shift on now, with 3,000 notes (a very long day): pages must not grow with it."""
    from duty.models import ConversationNote, Place, Shift

    shift = Shift.objects.filter(summary="Bench: busy shift").first()
    if shift is None:
        now = timezone.now()
        place = Place.objects.filter(name__startswith="Miejsce ").order_by("pk")[0]
        shift = Shift.objects.create(
            place=place,
            planned_start=now - timedelta(hours=1),
            planned_end=now + timedelta(hours=12),
            status=Shift.Status.STARTED,
            started_at=now - timedelta(hours=1),
            summary="Bench: busy shift",
        )
        shift.assistants.add(assistant)
        ConversationNote.objects.bulk_create(
            [
                ConversationNote(
                    shift=shift,
                    place=place,
                    date=timezone.localdate(),
                    text=f"Długa rozmowa o zajęciach dla dzieci numer {i}",
                    created_by=assistant,
                    created_at=now - timedelta(seconds=i),
                )
                for i in range(3000)
            ],
            batch_size=1000,
        )
    # Still on now, however long ago the database was filled.
    Shift.objects.filter(pk=shift.pk).update(
        planned_start=timezone.now() - timedelta(hours=1), planned_end=timezone.now() + timedelta(hours=12)
    )
    return shift


def counts() -> dict[str, int]:
    tables = {
        "notes": "duty_conversationnote",
        "shifts": "duty_shift",
        "problems": "needs_problem",
        "referrals": "needs_referral",
        "club sessions": "club_session",
    }
    return {label: _scalar(f"SELECT count(*) FROM {table}") for label, table in tables.items()}
