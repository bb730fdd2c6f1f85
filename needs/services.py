"""The life of a reported problem: report, forward, answer, every way it ends, and tell residents.

Every change writes a ProblemEvent (who, when, public and internal text) together with the
problem's status, in one transaction: the timeline is the record, the status follows it.
Public texts come from needs.texts (per-status and per-ending wordings a coordinator may edit).
Settling a problem, however it happens, closes every referral still waiting, so no reminder
about it goes out again.
"""

import secrets
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import retention
from core.idempotency import IdempotencyConflict, create_once, insert_unless_exists
from core.models import User
from core.pii import validate_no_pii

from . import selectors, signals
from .models import SETTLED_STATUSES, Institution, Problem, ProblemCategory, ProblemEvent, ProblemSupport, Referral
from .texts import public_text, resolution_key

# No 0/O, 1/I/L: a code read aloud over coffee or copied from a card cannot be misread.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 7
# How a problem may end without an institution's answer (reason -> status).
ENDINGS = {
    Problem.Resolution.ON_THE_SPOT: Problem.Status.RESOLVED,
    Problem.Resolution.NEIGHBOURS: Problem.Status.RESOLVED,
    Problem.Resolution.NOT_RELEVANT: Problem.Status.RESOLVED,
    Problem.Resolution.INSTITUTION: Problem.Status.RESOLVED,
    Problem.Resolution.OTHER: Problem.Status.RESOLVED,
    Problem.Resolution.FAILED: Problem.Status.UNRESOLVABLE,
}


def generate_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """What a resident typed, as a code: case, spaces and dashes do not matter."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def _record(
    problem: Problem,
    kind: str,
    *,
    by: User | None,
    public_text: str = "",
    internal_text: str = "",
    referral: Referral | None = None,
) -> ProblemEvent:
    validate_no_pii(public_text, allow_addresses=True)
    validate_no_pii(internal_text, allow_addresses=True)
    return ProblemEvent.objects.create(
        problem=problem,
        kind=kind,
        by=by,
        referral=referral,
        status_after=problem.status,
        public_text=public_text,
        internal_text=internal_text,
    )


def _news(problem: Problem) -> None:
    """There is something residents should hear: it shows up at the place until told."""
    if problem.untold_since is None:
        problem.untold_since = timezone.now()


def _locked(problem: Problem) -> Problem:
    return Problem.objects.select_for_update().get(pk=problem.pk)


def _save(problem: Problem, fields: list[str]) -> None:
    problem.save(update_fields=sorted({*fields, "updated_at"}))


def _close_referrals(problem: Problem, *, outcome: str = Referral.Outcome.CLOSED) -> int:
    """Every referral still waiting ends with the problem: nobody is chased about it any more."""
    return Referral.objects.filter(problem=problem, answered_on__isnull=True, closed_on__isnull=True).update(
        closed_on=timezone.localdate(), outcome=outcome
    )


def _settle(problem: Problem, status: str, resolution: str) -> list[str]:
    fields = problem.set_status(status)
    problem.resolution = resolution
    problem.still_broken_since = None
    _close_referrals(problem)
    return [*fields, "resolution", "still_broken_since"]


def _text_or_template(text: str, key: str, **context: Any) -> str:
    return text.strip() or public_text(key, **context)


def problem_report(
    *,
    category: ProblemCategory,
    description: str,
    by: User | None,
    place: Any = None,
    note: Any = None,
    location: str = "",
    lat: Decimal | None = None,
    lon: Decimal | None = None,
    source: str = Problem.Source.NOTE,
    client_uuid: uuid.UUID | str | None = None,
) -> tuple[Problem, bool]:
    """Record a problem a resident mentioned. Idempotent by client id, like notes.

    Without a place, coordinates attach it to the nearest place (so it is told there); a problem
    with neither stays on the coordinator's "do przekazania" list until told or waived.
    """
    description = description.strip()
    validate_no_pii(description, allow_addresses=True)
    validate_no_pii(location, allow_addresses=True)
    if not description:
        raise ValidationError({"description": _("Describe the problem.")})
    if note is not None and place is None:
        place = note.place
    data = {
        "category": category.code,
        "description": description,
        "place": place.pk if place else None,
        "note": note.pk if note else None,
        "location": location,
        "source": source,
    }
    if place is None and lat is not None and lon is not None:
        place = selectors.nearest_place(lat, lon)

    def create(fp: str) -> Problem:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    problem = Problem.objects.create(
                        code=generate_code(),
                        category=category,
                        place=place,
                        note=note,
                        location=location,
                        lat=lat,
                        lon=lon,
                        description=description,
                        source=source,
                        reported_by=by,
                        client_uuid=client_uuid,
                        client_fingerprint=fp,
                    )
            except IntegrityError:
                if client_uuid and Problem.objects.filter(client_uuid=client_uuid).exists():
                    raise
                continue  # the code was taken: draw another
            _record(problem, ProblemEvent.Kind.REPORTED, by=by, public_text=public_text("reported"))
            transaction.on_commit(partial(signals.problem_reported.send, sender=Problem, problem_id=problem.pk))
            return problem
        raise RuntimeError("could not draw a free problem code")

    with transaction.atomic():
        return create_once(model=Problem, client_uuid=client_uuid, data=data, create=create)


def _refer(
    problem: Problem,
    institution: Institution,
    *,
    by: User | None,
    channel: str,
    sent_on: date | None = None,
) -> Referral:
    sent_on = sent_on or timezone.localdate()
    return Referral.objects.create(
        problem=problem,
        institution=institution,
        channel=channel,
        sent_on=sent_on,
        due_on=sent_on + timedelta(days=institution.answer_days),
        created_by=by,
    )


@transaction.atomic
def problem_forward(
    *,
    problem: Problem,
    institution: Institution,
    by: User | None,
    channel: str = Referral.Channel.EMAIL,
    sent_on: date | None = None,
    internal_text: str = "",
) -> Referral:
    """Pass the problem to one institution (a problem may go to several)."""
    problem = _locked(problem)
    if problem.is_settled:
        raise ValidationError(_("This problem is already closed."))
    referral = _refer(problem, institution, by=by, channel=channel, sent_on=sent_on)
    fields = ["untold_since"]
    if problem.status == Problem.Status.NEW:
        fields += problem.set_status(Problem.Status.FORWARDED)
    _news(problem)
    _save(problem, fields)
    _record(
        problem,
        ProblemEvent.Kind.FORWARDED,
        by=by,
        referral=referral,
        public_text=public_text("forwarded", institution=institution.name, due=referral.due_on.strftime("%d.%m.%Y")),
        internal_text=internal_text,
    )
    return referral


@transaction.atomic
def referral_record_answer(
    *,
    referral: Referral,
    answer: str,
    outcome: str,
    by: User | None,
    public_text: str,
    answered_on: date | None = None,
    resolve: str = "",
) -> Referral:
    """The institution answered. The public text is what residents will be told.

    ``resolve`` settles the problem with it (resolved / cannot be resolved), closing the other
    referrals still waiting.
    """
    if not public_text.strip():
        raise ValidationError({"public_text": _("Write what residents should hear.")})
    validate_no_pii(answer, allow_addresses=True)
    problem = _locked(referral.problem)
    referral.answer = answer
    referral.answered_on = answered_on or timezone.localdate()
    referral.outcome = outcome
    referral.save(update_fields=["answer", "answered_on", "outcome"])
    fields = ["untold_since"]
    if resolve in SETTLED_STATUSES and resolve != Problem.Status.DUPLICATE:
        ending = Problem.Resolution.FAILED if resolve == Problem.Status.UNRESOLVABLE else Problem.Resolution.INSTITUTION
        fields += _settle(problem, resolve, ending)
    elif not problem.is_settled:
        fields += problem.set_status(Problem.Status.IN_PROGRESS)
    _news(problem)
    _save(problem, fields)
    _record(
        problem,
        ProblemEvent.Kind.ANSWERED,
        by=by,
        referral=referral,
        public_text=public_text.strip(),
        internal_text=answer,
    )
    transaction.on_commit(partial(signals.referral_answered.send, sender=Referral, referral_id=referral.pk))
    return referral


@transaction.atomic
def problem_resolve(
    *,
    problem: Problem,
    resolution: str,
    by: User | None,
    public_text: str = "",
    internal_text: str = "",
) -> Problem:
    """Settle a problem without (or beyond) an institution's answer: solved on the spot, by neighbours,
    no longer relevant, or it could not be solved. Residents read ``public_text``, or the template
    of that ending when it is left empty. Every referral still waiting is closed with it.
    """
    if resolution not in ENDINGS:
        raise ValidationError({"resolution": _("Choose how the problem ended.")})
    problem = _locked(problem)
    if problem.is_settled:
        raise ValidationError(_("This problem is already closed."))
    status = ENDINGS[Problem.Resolution(resolution)]
    text = _text_or_template(public_text, resolution_key(status, resolution))
    fields = _settle(problem, status, resolution)
    _news(problem)
    _save(problem, [*fields, "untold_since"])
    _record(problem, ProblemEvent.Kind.STATUS, by=by, public_text=text, internal_text=internal_text.strip())
    return problem


@transaction.atomic
def problem_set_status(
    *, problem: Problem, status: str, by: User | None, public_text: str, internal_text: str = ""
) -> Problem:
    """The older single step: resolved, cannot be resolved (both settle it) or back in progress."""
    if status not in (Problem.Status.RESOLVED, Problem.Status.UNRESOLVABLE, Problem.Status.IN_PROGRESS):
        raise ValidationError({"status": _("Choose resolved, cannot be resolved or in progress.")})
    if not public_text.strip():
        raise ValidationError({"public_text": _("Write what residents should hear.")})
    if status == Problem.Status.UNRESOLVABLE:
        return problem_resolve(
            problem=problem,
            resolution=Problem.Resolution.FAILED,
            by=by,
            public_text=public_text,
            internal_text=internal_text,
        )
    if status == Problem.Status.RESOLVED:
        return problem_resolve(
            problem=problem,
            resolution=Problem.Resolution.OTHER,
            by=by,
            public_text=public_text,
            internal_text=internal_text,
        )
    problem = _locked(problem)
    fields = problem.set_status(status)
    _news(problem)
    _save(problem, [*fields, "untold_since"])
    _record(problem, ProblemEvent.Kind.STATUS, by=by, public_text=public_text.strip(), internal_text=internal_text)
    return problem


def _after_referral_ended(problem: Problem) -> list[str]:
    """A forwarded problem nobody is asked about any more goes back to "new" (decide who can fix it)."""
    if problem.status == Problem.Status.FORWARDED and not problem.referrals.awaiting().exists():
        return problem.set_status(Problem.Status.NEW)
    return []


@transaction.atomic
def referral_withdraw(*, referral: Referral, by: User | None, reason: str = "", public_text: str = "") -> Referral:
    """We no longer wait for this institution (sent by mistake, the matter moved on)."""
    problem = _locked(referral.problem)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.is_awaiting:
        raise ValidationError(_("This referral is no longer waiting for an answer."))
    referral.closed_on = timezone.localdate()
    referral.outcome = Referral.Outcome.WITHDRAWN
    referral.save(update_fields=["closed_on", "outcome"])
    fields = _after_referral_ended(problem)
    _news(problem)
    _save(problem, [*fields, "untold_since"])
    _record(
        problem,
        ProblemEvent.Kind.WITHDRAWN,
        by=by,
        referral=referral,
        public_text=_text_or_template(public_text, "withdrawn", institution=referral.institution.name),
        internal_text=reason.strip(),
    )
    return referral


@transaction.atomic
def referral_redirect(
    *,
    referral: Referral,
    to: Institution,
    by: User | None,
    channel: str = Referral.Channel.EMAIL,
    answer: str = "",
) -> Referral:
    """ "Not our responsibility": the institution's answer recorded and the problem forwarded elsewhere, in one step.

    Returns the new referral.
    """
    validate_no_pii(answer, allow_addresses=True)
    problem = _locked(referral.problem)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if problem.is_settled:
        raise ValidationError(_("This problem is already closed."))
    if to.pk == referral.institution_id:
        raise ValidationError({"to": _("Choose another institution.")})
    if referral.answered_on is None:
        referral.answered_on = timezone.localdate()
    referral.outcome = Referral.Outcome.NOT_COMPETENT
    referral.answer = answer.strip() or referral.answer
    referral.save(update_fields=["answered_on", "outcome", "answer"])
    new = _refer(problem, to, by=by, channel=channel)
    fields = ["untold_since"]
    if problem.status == Problem.Status.NEW:
        fields += problem.set_status(Problem.Status.FORWARDED)
    _news(problem)
    _save(problem, fields)
    _record(
        problem,
        ProblemEvent.Kind.REDIRECTED,
        by=by,
        referral=new,
        public_text=public_text(
            "redirected",
            previous=referral.institution.name,
            institution=to.name,
            due=new.due_on.strftime("%d.%m.%Y"),
        ),
        internal_text=answer.strip(),
    )
    return new


@transaction.atomic
def problem_reopen(*, problem: Problem, by: User | None, reason: str = "", public_text: str = "") -> Problem:
    """A settled problem is open again (it came back, or it was closed by mistake).

    A merged problem stops being a duplicate and its voices leave the original.
    """
    problem = _locked(problem)
    if not problem.is_settled:
        raise ValidationError(_("This problem is still open."))
    fields: list[str] = []
    if problem.duplicate_of_id:
        Problem.objects.filter(pk=problem.duplicate_of_id).update(supporters=F("supporters") - problem.supporters)
        problem.duplicate_of = None
        fields.append("duplicate_of")
    answered = problem.referrals.filter(answered_on__isnull=False).exists()
    fields += problem.set_status(Problem.Status.IN_PROGRESS if answered else Problem.Status.NEW)
    problem.feedback = Problem.Feedback.PENDING
    problem.still_broken_since = None
    _news(problem)
    _save(problem, [*fields, "feedback", "still_broken_since", "untold_since"])
    _record(
        problem,
        ProblemEvent.Kind.REOPENED,
        by=by,
        public_text=_text_or_template(public_text, "reopened"),
        internal_text=reason.strip(),
    )
    return problem


@transaction.atomic
def problem_merge(*, problem: Problem, into: Problem, by: User | None) -> Problem:
    """``problem`` was the same as ``into``: it is settled as a duplicate and its voices count there.

    Its public page shows the original's status; its referrals still waiting are closed.
    """
    if into.pk == problem.pk:
        raise ValidationError({"duplicate_of": _("A problem cannot be a duplicate of itself.")})
    # Lock both in one order, so two merges in opposite directions cannot deadlock.
    locked = {p.pk: p for p in Problem.objects.select_for_update().filter(pk__in=[problem.pk, into.pk]).order_by("pk")}
    problem, into = locked[problem.pk], locked[into.pk]
    if into.duplicate_of_id == problem.pk:
        raise ValidationError({"duplicate_of": _("A problem cannot be a duplicate of itself.")})
    if problem.status == Problem.Status.DUPLICATE:
        raise ValidationError(_("This problem is already merged."))
    while into.duplicate_of_id:  # merge into the end of the chain
        into = Problem.objects.select_for_update().get(pk=into.duplicate_of_id)
        if into.pk == problem.pk:
            raise ValidationError({"duplicate_of": _("A problem cannot be a duplicate of itself.")})
    fields = _settle(problem, Problem.Status.DUPLICATE, "")
    problem.duplicate_of = into
    _news(problem)
    _save(problem, [*fields, "duplicate_of", "untold_since"])
    Problem.objects.filter(pk=into.pk).update(supporters=F("supporters") + problem.supporters)
    _record(problem, ProblemEvent.Kind.DUPLICATE, by=by, public_text=public_text("duplicate", code=into.code))
    return problem


def problem_support(
    *,
    problem: Problem,
    by: User | None,
    client_uuid: uuid.UUID | str | None = None,
    note: Any = None,
) -> tuple[Problem, bool]:
    """One more resident reports the same problem: a voice added, not a new problem.

    Idempotent by ``client_uuid``: a replay (or a concurrent twin, which waits on the unique index)
    counts nothing and returns the problem it counted on; the same id used for another problem is an
    ``IdempotencyConflict``. A merged problem's voice goes to the original.
    """
    with transaction.atomic():
        target = _locked(selectors.original_of(Problem.objects.get(pk=problem.pk)))
        if target.is_settled:
            raise ValidationError(_("This problem is already closed."))
        support = ProblemSupport(problem=target, client_uuid=client_uuid, by=by, note=note)
        if client_uuid is None:
            support.save()
        elif not insert_unless_exists(support):
            existing = ProblemSupport.objects.select_related("problem").get(client_uuid=client_uuid)
            if existing.problem_id != target.pk and selectors.original_of(existing.problem).pk != target.pk:
                raise IdempotencyConflict(existing)
            return Problem.objects.get(pk=existing.problem_id), False
        Problem.objects.filter(pk=target.pk).update(supporters=F("supporters") + 1, updated_at=timezone.now())
        target.refresh_from_db(fields=["supporters", "updated_at"])
        _record(target, ProblemEvent.Kind.SUPPORTED, by=by, public_text=public_text("supported"))
        return target, True


@transaction.atomic
def problem_feedback_told(*, problem: Problem, by: User | None, note: str = "") -> Problem:
    """Residents at the place heard the news (told over coffee, on the next duty)."""
    problem = _locked(problem)
    problem.untold_since = None
    if problem.is_settled:
        problem.feedback = Problem.Feedback.TOLD
    _save(problem, ["untold_since", "feedback"])
    _record(problem, ProblemEvent.Kind.FEEDBACK_TOLD, by=by, internal_text=note.strip())
    return problem


@transaction.atomic
def problem_feedback_waive(*, problem: Problem, by: User | None, reason: str) -> Problem:
    """A coordinator decides residents need not be told (e.g. nobody to tell), with a reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for not telling residents.")})
    problem = _locked(problem)
    problem.feedback = Problem.Feedback.WAIVED
    problem.feedback_waived_reason = reason
    problem.untold_since = None
    _save(problem, ["feedback", "feedback_waived_reason", "untold_since"])
    _record(problem, ProblemEvent.Kind.FEEDBACK_WAIVED, by=by, internal_text=reason)
    return problem


@transaction.atomic
def problem_fix_check(*, problem: Problem, by: User | None, holds: bool, note: str = "") -> Problem:
    """Weeks after it was resolved, residents at the place were asked: is it still fixed?

    "Yes" records the answer; "no" reopens the problem (with its own event) so it is dealt with again.
    """
    problem = _locked(problem)
    if problem.status != Problem.Status.RESOLVED:
        raise ValidationError(_("Only a resolved problem can be checked."))
    if holds:
        problem.fix_checked_at = timezone.now()
        _save(problem, ["fix_checked_at"])
        _record(problem, ProblemEvent.Kind.FIX_CONFIRMED, by=by, internal_text=note.strip())
        return problem
    _record(problem, ProblemEvent.Kind.STILL_BROKEN, by=by, public_text=public_text("still_broken"), internal_text=note)
    return problem_reopen(problem=problem, by=by, reason=note or _("Residents say it is broken again."))


@transaction.atomic
def problem_still_broken(*, problem: Problem) -> bool:
    """A resident pressed "Nadal nie działa" on the public page (anonymous): it lands on the
    coordinator's list. Pressing it again while it waits there adds nothing; returns whether it was new.
    """
    problem = _locked(problem)
    if problem.status != Problem.Status.RESOLVED:
        raise ValidationError(_("Only a resolved problem can be reported as still broken."))
    if problem.still_broken_since is not None:
        return False
    problem.still_broken_since = timezone.now()
    _save(problem, ["still_broken_since"])
    _record(problem, ProblemEvent.Kind.STILL_BROKEN, by=None, public_text=public_text("still_broken"))
    return True


def problem_set_public_summary(*, problem: Problem, text: str, by: User | None) -> Problem:
    """A coordinator writes or approves the one description Open311 may publish (guarded)."""
    text = text.strip()
    validate_no_pii(text, allow_addresses=True)
    problem.public_summary = text
    problem.save(update_fields=["public_summary", "updated_at"])
    return problem


def problem_texts_expire(*, before: datetime, batch_size: int = 500, dry_run: bool = False) -> dict[str, int]:
    """Internal texts of problems settled before ``before`` become the marker (see core.retention).

    The description (often taken from a note), the location in words, the reason feedback was
    waived, internal event texts and institutions' answers go; public texts, statuses and dates stay.
    """
    settled = Problem.objects.filter(settled_at__lt=before)
    counts = {
        f"problem.{field}": n
        for field, n in retention.expire_fields(
            settled, ["description", "location", "feedback_waived_reason"], batch_size=batch_size, dry_run=dry_run
        ).items()
    }
    events = ProblemEvent.objects.filter(problem__settled_at__lt=before)
    counts["event.internal_text"] = retention.expire_field(
        events, "internal_text", batch_size=batch_size, dry_run=dry_run
    )
    referrals = Referral.objects.filter(problem__settled_at__lt=before)
    counts["referral.answer"] = retention.expire_field(referrals, "answer", batch_size=batch_size, dry_run=dry_run)
    return counts
