"""The life of a reported problem: report, forward, answer, resolve, and tell residents.

Every change writes a ProblemEvent (who, when, public and internal text) together with the
problem's status, in one transaction: the timeline is the record, the status follows it.
"""

import secrets
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import retention
from core.idempotency import create_once
from core.models import User
from core.pii import validate_no_pii

from . import signals
from .models import SETTLED_STATUSES, Institution, Problem, ProblemCategory, ProblemEvent, Referral

# No 0/O, 1/I/L: a code read aloud over coffee or copied from a card cannot be misread.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 7
FINAL = SETTLED_STATUSES


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
    """Record a problem a resident mentioned. Idempotent by client id, like notes."""
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
            _record(problem, ProblemEvent.Kind.REPORTED, by=by, public_text=_("We have recorded the problem."))
            transaction.on_commit(partial(signals.problem_reported.send, sender=Problem, problem_id=problem.pk))
            return problem
        raise RuntimeError("could not draw a free problem code")

    with transaction.atomic():
        return create_once(model=Problem, client_uuid=client_uuid, data=data, create=create)


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
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.status in FINAL:
        raise ValidationError(_("This problem is already closed."))
    sent_on = sent_on or timezone.localdate()
    referral = Referral.objects.create(
        problem=problem,
        institution=institution,
        channel=channel,
        sent_on=sent_on,
        due_on=sent_on + timedelta(days=institution.answer_days),
        created_by=by,
    )
    if problem.status == Problem.Status.NEW:
        problem.set_status(Problem.Status.FORWARDED)
    _news(problem)
    problem.save(update_fields=["status", "settled_at", "untold_since", "updated_at"])
    _record(
        problem,
        ProblemEvent.Kind.FORWARDED,
        by=by,
        referral=referral,
        public_text=_("We passed the matter to: %(institution)s. We expect an answer by %(due)s.")
        % {"institution": institution.name, "due": referral.due_on.strftime("%d.%m.%Y")},
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
    """The institution answered. The public text is what residents will be told."""
    if not public_text.strip():
        raise ValidationError({"public_text": _("Write what residents should hear.")})
    validate_no_pii(answer, allow_addresses=True)
    problem = Problem.objects.select_for_update().get(pk=referral.problem_id)
    referral.answer = answer
    referral.answered_on = answered_on or timezone.localdate()
    referral.outcome = outcome
    referral.save(update_fields=["answer", "answered_on", "outcome"])
    if resolve in FINAL:
        problem.set_status(resolve)
    elif problem.status not in FINAL:
        problem.set_status(Problem.Status.IN_PROGRESS)
    _news(problem)
    problem.save(update_fields=["status", "settled_at", "untold_since", "updated_at"])
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
def problem_set_status(
    *, problem: Problem, status: str, by: User | None, public_text: str, internal_text: str = ""
) -> Problem:
    if status not in (Problem.Status.RESOLVED, Problem.Status.UNRESOLVABLE, Problem.Status.IN_PROGRESS):
        raise ValidationError({"status": _("Choose resolved, cannot be resolved or in progress.")})
    if not public_text.strip():
        raise ValidationError({"public_text": _("Write what residents should hear.")})
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    problem.set_status(status)
    _news(problem)
    problem.save(update_fields=["status", "settled_at", "untold_since", "updated_at"])
    _record(problem, ProblemEvent.Kind.STATUS, by=by, public_text=public_text.strip(), internal_text=internal_text)
    return problem


@transaction.atomic
def problem_mark_duplicate(*, problem: Problem, of: Problem, by: User | None) -> Problem:
    if of.pk == problem.pk or of.duplicate_of_id == problem.pk:
        raise ValidationError({"duplicate_of": _("A problem cannot be a duplicate of itself.")})
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    problem.set_status(Problem.Status.DUPLICATE)
    problem.duplicate_of = of
    _news(problem)
    problem.save(update_fields=["status", "settled_at", "duplicate_of", "untold_since", "updated_at"])
    _record(
        problem,
        ProblemEvent.Kind.DUPLICATE,
        by=by,
        public_text=_("The same problem was reported earlier; we follow it under the code %(code)s.")
        % {"code": of.code},
    )
    return problem


@transaction.atomic
def problem_feedback_told(*, problem: Problem, by: User | None, note: str = "") -> Problem:
    """Residents at the place heard the news (told over coffee, on the next duty)."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    problem.untold_since = None
    if problem.status in FINAL:
        problem.feedback = Problem.Feedback.TOLD
    problem.save(update_fields=["untold_since", "feedback", "updated_at"])
    _record(problem, ProblemEvent.Kind.FEEDBACK_TOLD, by=by, internal_text=note.strip())
    return problem


@transaction.atomic
def problem_feedback_waive(*, problem: Problem, by: User | None, reason: str) -> Problem:
    """A coordinator decides residents need not be told (e.g. nobody to tell), with a reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for not telling residents.")})
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    problem.feedback = Problem.Feedback.WAIVED
    problem.feedback_waived_reason = reason
    problem.untold_since = None
    problem.save(update_fields=["feedback", "feedback_waived_reason", "untold_since", "updated_at"])
    _record(problem, ProblemEvent.Kind.FEEDBACK_WAIVED, by=by, internal_text=reason)
    return problem


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
