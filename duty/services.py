"""Writes of the duty app. Views, the admin, the API and imports all call these."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from core import retention
from core.idempotency import IdempotencyConflict, create_once, fingerprint, insert_unless_exists
from core.models import User
from core.pii import validate_no_pii
from needs.models import Need
from needs.services import problem_texts_expire

from .models import ConversationNote, CounterTap, Place, Shift, Touchpoint

MAX_TAP = 20  # one tap adds or removes a few at most; anything larger is a typo


def _check_window(planned_start: datetime, planned_end: datetime) -> None:
    if planned_end <= planned_start:
        raise ValidationError({"planned_end": _("The shift must end after it starts.")})


@transaction.atomic
def shift_plan(
    *,
    place: Place,
    planned_start: datetime,
    planned_end: datetime,
    assistants: Iterable[User],
    by: User | None,
    client_uuid: uuid.UUID | str | None = None,
) -> tuple[Shift, bool]:
    """Plan a shift (a coordinator for anyone, an assistant for themselves). Idempotent by client id."""
    _check_window(planned_start, planned_end)
    assistants = list(assistants)
    data = {
        "place": place.pk,
        "planned_start": planned_start.isoformat(),
        "planned_end": planned_end.isoformat(),
        "assistants": [a.pk for a in assistants],
    }

    def create(fp: str) -> Shift:
        shift = Shift.objects.create(
            place=place,
            planned_start=planned_start,
            planned_end=planned_end,
            created_by=by,
            client_uuid=client_uuid,
            client_fingerprint=fp,
        )
        shift.assistants.set(assistants)
        return shift

    return create_once(model=Shift, client_uuid=client_uuid, data=data, create=create)


@transaction.atomic
def shift_start_adhoc(
    *, place: Place, hours: int, by: User, client_uuid: uuid.UUID | str | None = None
) -> tuple[Shift, bool]:
    """Start a shift now, where the bike stands. Idempotent by client id: what the phone sent is
    the place and the length, not the server's clock, so a second tap returns the first shift."""
    data = {"adhoc": True, "place": place.pk, "hours": hours, "assistants": [by.pk]}

    def create(fp: str) -> Shift:
        now = timezone.now()
        shift = Shift.objects.create(
            place=place,
            planned_start=now,
            planned_end=now + timedelta(hours=hours),
            status=Shift.Status.STARTED,
            started_at=now,
            created_by=by,
            client_uuid=client_uuid,
            client_fingerprint=fp,
        )
        shift.assistants.set([by])
        return shift

    return create_once(model=Shift, client_uuid=client_uuid, data=data, create=create)


@transaction.atomic
def shift_update(
    *, shift: Shift, place: Place, planned_start: datetime, planned_end: datetime, assistants: Iterable[User]
) -> Shift:
    _check_window(planned_start, planned_end)
    shift.place = place
    shift.planned_start = planned_start
    shift.planned_end = planned_end
    shift.save(update_fields=["place", "planned_start", "planned_end"])
    shift.assistants.set(list(assistants))
    return shift


@transaction.atomic
def shift_cancel(*, shift: Shift) -> Shift:
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.status != Shift.Status.PLANNED:
        raise ValidationError(_("Only a planned shift can be cancelled."))
    shift.status = Shift.Status.CANCELLED
    shift.save(update_fields=["status"])
    return shift


@transaction.atomic
def shift_start(*, shift: Shift, by: User | None = None, at: datetime | None = None) -> Shift:
    """Start a planned shift. Starting a started one again changes nothing (a retried request)."""
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.status == Shift.Status.STARTED:
        return shift
    if shift.status != Shift.Status.PLANNED:
        raise ValidationError(_("This shift has already ended or was cancelled."))
    shift.status = Shift.Status.STARTED
    shift.started_at = at or timezone.now()
    shift.save(update_fields=["status", "started_at"])
    return shift


@transaction.atomic
def shift_end(
    *,
    shift: Shift,
    summary: str = "",
    weather: str = "",
    touchpoints: Sequence[str] | None = None,
    at: datetime | None = None,
) -> Shift:
    """End a shift with a summary. Ending it again with the same summary is a harmless retry;
    with a different one it is a conflict (IdempotencyConflict), not a silent overwrite."""
    validate_no_pii(summary)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.status == Shift.Status.ENDED:
        if shift.summary.strip() == summary.strip():
            return shift
        raise IdempotencyConflict(shift)
    if shift.status == Shift.Status.CANCELLED:
        raise ValidationError(_("This shift was cancelled."))
    now = at or timezone.now()
    if shift.status == Shift.Status.PLANNED:
        shift.started_at = shift.started_at or now
    shift.status = Shift.Status.ENDED
    shift.ended_at = now
    shift.summary = summary.strip()
    fields = ["status", "started_at", "ended_at", "summary"]
    if weather:
        shift.weather = weather
        fields.append("weather")
    if touchpoints is not None:
        shift.touchpoints = _clean_touchpoints(touchpoints)
        fields.append("touchpoints")
    shift.save(update_fields=fields)
    return shift


def _clean_touchpoints(values: Iterable[str]) -> list[str]:
    known = set(Touchpoint.values)
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValidationError({"touchpoints": _("Unknown touchpoint: %(value)s") % {"value": ", ".join(unknown)}})
    return [v for v in Touchpoint.values if v in set(values)]


@transaction.atomic
def shift_set_details(*, shift: Shift, weather: str | None = None, touchpoints: Sequence[str] | None = None) -> Shift:
    fields = []
    if weather is not None:
        if weather and weather not in Shift.Weather.values:
            raise ValidationError({"weather": _("Unknown weather.")})
        shift.weather = weather
        fields.append("weather")
    if touchpoints is not None:
        shift.touchpoints = _clean_touchpoints(touchpoints)
        fields.append("touchpoints")
    if fields:
        shift.save(update_fields=fields)
    return shift


def shift_tap_counter(
    *, shift: Shift, counter: str, delta: int, client_uuid: uuid.UUID | str, by: User | None
) -> tuple[CounterTap, bool]:
    """Add ``delta`` to one counter, once per client id (a retried tap never counts twice)."""
    if counter not in Shift.COUNTERS:
        raise ValidationError({"counter": _("Unknown counter: %(counter)s") % {"counter": counter}})
    if delta == 0 or abs(delta) > MAX_TAP:
        raise ValidationError({"delta": _("A tap changes a counter by 1 to %(max)s.") % {"max": MAX_TAP}})
    if shift.status not in (Shift.Status.STARTED, Shift.Status.ENDED):
        raise ValidationError(_("Start the shift before counting."))

    def create(fp: str) -> CounterTap:
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        if getattr(locked, counter) + delta < 0:
            raise ValidationError({"delta": _("The counter cannot go below zero.")})
        Shift.objects.filter(pk=shift.pk).update(**{counter: F(counter) + delta})
        return CounterTap.objects.create(
            shift=shift, counter=counter, delta=delta, by=by, client_uuid=client_uuid, client_fingerprint=fp
        )

    with transaction.atomic():
        return create_once(
            model=CounterTap,
            client_uuid=client_uuid,
            data={"shift": shift.pk, "counter": counter, "delta": delta},
            create=create,
        )


def note_create(
    *,
    by: User | None,
    text: str,
    stage: str,
    needs: Iterable[Need | str] = (),
    shift: Shift | None = None,
    place: Place | None = None,
    date: Any = None,
    touchpoint: str = "",
    age_band: str = ConversationNote.AgeBand.UNKNOWN,
    wants_follow_up: bool = False,
    client_uuid: uuid.UUID | str | None = None,
) -> tuple[ConversationNote, bool]:
    """Write an anonymous note, on a shift or (from the contact box) at a place and date.

    Idempotent by client id: an identical replay returns the first note; the same id with other
    content raises IdempotencyConflict. The PII guard runs here too, so no path can skip it.
    Needs come as objects or as codes (codes must be active needs).

    A new note costs four statements: the note (``INSERT … ON CONFLICT DO NOTHING``), its needs
    (one ``INSERT … SELECT`` that also checks the codes), and its history row with the needs it
    had. ``post_save`` is sent once the note is complete, as if it had been saved by ``save()``.
    """
    validate_no_pii(text)
    need_list = list(needs)
    need_ids = sorted({n.pk for n in need_list if isinstance(n, Need)})
    need_codes = sorted({n for n in need_list if isinstance(n, str)})
    if shift is None and (place is None or date is None):
        raise ValidationError(_("A note belongs to a shift, or to a place and a date."))
    source = ConversationNote.Source.SHIFT if shift else ConversationNote.Source.CONTACT_BOX
    place = place or shift.place  # type: ignore[union-attr]
    date = date or timezone.localdate(shift.started_at or shift.planned_start)  # type: ignore[union-attr]
    fields: dict[str, Any] = {
        "shift": shift.pk if shift else None,
        "place": place.pk,
        "date": str(date),
        "text": text.strip(),
        "stage": stage,
        "needs": sorted({n.code for n in need_list if isinstance(n, Need)} | set(need_codes)),
        "touchpoint": touchpoint,
        "age_band": age_band,
        "wants_follow_up": bool(wants_follow_up),
    }
    fp = fingerprint(fields)
    note = ConversationNote(
        shift=shift,
        place=place,
        date=date,
        source=source,
        text=fields["text"],
        stage=stage,
        touchpoint=touchpoint,
        age_band=age_band,
        wants_follow_up=bool(wants_follow_up),
        created_by=by,
        client_uuid=client_uuid,
        client_fingerprint=fp,
    )
    with transaction.atomic():
        if not insert_unless_exists(note):
            existing = ConversationNote.objects.get(client_uuid=client_uuid)
            if existing.client_fingerprint != fp:
                raise IdempotencyConflict(existing)
            return existing, False
        picked = _note_needs_insert(note=note, need_ids=need_ids, need_codes=need_codes)
        note._prefetched_objects_cache = {"needs": [Need(pk=pk, code=code) for _row, pk, code in picked]}  # type: ignore[attr-defined]
        note.skip_history_when_saving = True  # type: ignore[attr-defined] # written below with its needs
        try:
            post_save.send(
                sender=ConversationNote,
                instance=note,
                created=True,
                update_fields=None,
                raw=False,
                using=note._state.db,
            )
        finally:
            del note.skip_history_when_saving  # type: ignore[attr-defined]
        _note_history_created(note=note, by=by, through=picked)
    return note, True


def _note_needs_insert(
    *, note: ConversationNote, need_ids: list[int], need_codes: list[str]
) -> list[tuple[int, int, str]]:
    """Tag the new note with its needs in one statement; unknown (or inactive) codes are refused.

    Returns (through row id, need id, need code) of every tag.
    """
    if not need_ids and not need_codes:
        return []
    through = ConversationNote.needs.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH picked AS (
                    SELECT id, code FROM {Need._meta.db_table}
                    WHERE id = ANY(%s) OR (code = ANY(%s) AND active)
                ), tagged AS (
                    INSERT INTO {through} (conversationnote_id, need_id) SELECT %s, id FROM picked
                    RETURNING id, need_id
                )
                SELECT tagged.id, tagged.need_id, picked.code FROM tagged JOIN picked ON picked.id = tagged.need_id""",  # noqa: S608 - table names from the models
            [need_ids, need_codes, note.pk],
        )
        picked = [(row, pk, code) for row, pk, code in cursor.fetchall()]
    missing = set(need_codes) - {code for _row, _pk, code in picked}
    if missing or len(picked) < len(set(need_ids) | set(need_codes)):
        raise ValidationError({"needs": _("Unknown need: %(codes)s") % {"codes": ", ".join(sorted(missing))}})
    return picked


def _note_history_created(*, note: ConversationNote, by: User | None, through: list[tuple[int, int, str]]) -> None:
    """The note's first history row and its needs, as simple-history would write them, in two INSERTs."""
    from simple_history.models import HistoricalRecords
    from simple_history.signals import post_create_historical_record, pre_create_historical_record

    history_model: Any = ConversationNote.history.model
    now = timezone.now()
    record = history_model(
        history_date=now,
        history_type="+",
        history_user=by,
        history_change_reason=None,
        **{f.attname: getattr(note, f.attname) for f in history_model.tracked_fields},
    )
    pre_create_historical_record.send(
        sender=history_model,
        instance=note,
        history_date=now,
        history_user=by,
        history_change_reason=None,
        history_instance=record,
        using=None,
    )
    record.save()
    if through:
        needs_history = HistoricalRecords.m2m_models[ConversationNote._meta.get_field("needs")]
        needs_history.objects.bulk_create(
            [needs_history(history=record, id=row, conversationnote_id=note.pk, need_id=pk) for row, pk, _c in through]
        )
    post_create_historical_record.send(
        sender=history_model,
        instance=note,
        history_instance=record,
        history_date=now,
        history_user=by,
        history_change_reason=None,
        using=None,
    )


@transaction.atomic
def note_update(*, note: ConversationNote, needs: Iterable[Need] | None = None, **changes: Any) -> ConversationNote:
    if "text" in changes:
        validate_no_pii(changes["text"])
        changes["text"] = changes["text"].strip()
        if changes["text"] != note.text:
            changes["text_changed_at"] = timezone.now()  # the history records when, never what
    for field, value in changes.items():
        setattr(note, field, value)
    if changes:
        note.save(update_fields=list(changes))
    if needs is not None:
        note.needs.set(list(needs))
    return note


def texts_expire(*, now: datetime | None = None, batch_size: int = 500, dry_run: bool = False) -> dict[str, int]:
    """Note texts older than NOTE_TEXT_RETENTION_DAYS, and internal texts of problems settled that
    long ago, become the marker; returns how many rows each field had (or, dry, would have) rewritten."""
    before = retention.retention_cutoff(now)
    old_notes = ConversationNote.objects.filter(created_at__lt=before)
    counts = {"note.text": retention.expire_field(old_notes, "text", batch_size=batch_size, dry_run=dry_run)}
    counts.update(problem_texts_expire(before=before, batch_size=batch_size, dry_run=dry_run))
    return counts
