"""The sweep and the digests: rows first, then e-mail, each sent once.

Running the sweep twice, or two sweeps at the same time, creates nothing twice (unique keys,
inserts that ignore conflicts) and sends no e-mail twice (each notification is claimed under a
row lock that skips rows another sweep holds, and the claim is committed before sending).
"""

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import User
from core.roles import COORDINATOR
from duty.models import ConversationNote, Shift
from needs.models import Problem

from . import rules
from .models import EmailPreference, Kind, Notification, Reminder

logger = logging.getLogger(__name__)
# A sweep that claimed e-mails and died before sending them: another sweep may retry after this.
CLAIM_TIMEOUT = timedelta(minutes=15)
EMAIL_BATCH = 200


@dataclass(frozen=True)
class SweepResult:
    due: int
    created: int
    resolved: int
    emailed: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _email_wanted(due: list[rules.Due]) -> set[tuple[int, str]]:
    """(user, kind) pairs that get an e-mail: an address, and e-mail not switched off for the kind."""
    users = {pk for d in due for pk in d.recipients}
    kinds = {d.kind for d in due}
    with_address = set(User.objects.filter(pk__in=users, is_active=True).exclude(email="").values_list("pk", flat=True))
    opted_out = set(
        EmailPreference.objects.filter(user_id__in=with_address, kind__in=kinds, email=False).values_list(
            "user_id", "kind"
        )
    )
    return {(u, d.kind) for d in due for u in d.recipients if u in with_address and (u, d.kind) not in opted_out}


# A notification that lists several items names this many; the rest are behind its link.
SUMMARY_LINES = 20
# Object keys of the reminders that list a sweep's items for one person (never resolved by the rules).
SUMMARY_KEY = "list:"


def _insert_new(
    rows: list[tuple[str, str, str, str, str, str, bool]], now: datetime
) -> list[tuple[int, str, str, str]]:
    """One INSERT … SELECT unnest(…) ON CONFLICT DO NOTHING RETURNING: the reminders this call made.

    A reminder that exists (made by an earlier sweep, or by one running now) is not returned,
    so each one is announced exactly once, however many sweeps run.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        return _insert_new_one_by_one(rows, now)
    kinds, keys, occurrences, titles, bodies, urls, escalated = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Reminder._meta.db_table}
                    (kind, object_key, occurrence, title, body, url, escalated, created_at)
                SELECT k, o, c, t, b, u, e, %s
                FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::boolean[])
                     AS x(k, o, c, t, b, u, e)
                ON CONFLICT (kind, object_key, occurrence) DO NOTHING
                RETURNING id, kind, object_key, occurrence""",  # noqa: S608 - the table name is the model's
            [now, kinds, keys, occurrences, titles, bodies, urls, escalated],
        )
        return cursor.fetchall()


def _insert_new_one_by_one(
    rows: list[tuple[str, str, str, str, str, str, bool]], now: datetime
) -> list[tuple[int, str, str, str]]:
    """The same, a row at a time, for the demo's SQLite (`make run`), which has no arrays to unnest."""
    made: list[tuple[int, str, str, str]] = []
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute(
                f"""INSERT INTO {Reminder._meta.db_table}
                        (kind, object_key, occurrence, title, body, url, escalated, created_at)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                    ON CONFLICT (kind, object_key, occurrence) DO NOTHING
                    RETURNING id, kind, object_key, occurrence""",  # noqa: S608 - the table name is the model's
                [*row, now],
            )
            made.extend(cursor.fetchall())
    return made


def _summary(kind: str, items: list[rules.Due]) -> tuple[str, str, str]:
    """Title, body and link of one notification listing several items of a kind (titles only)."""
    label = Kind(kind).label
    title = _("%(kind)s — new: %(n)s") % {"kind": label, "n": len(items)}
    ordered = sorted(items, key=lambda d: (not d.escalated, d.title))
    lines = [f"• {d.title}" for d in ordered[:SUMMARY_LINES]]
    rest = len(items) - SUMMARY_LINES
    if rest > 0:
        lines.append(_("… and %(n)s more.") % {"n": rest})
    return title[:200], "\n".join(lines), rules.list_link(kind)[:300]


def reminders_store(*, due: list[rules.Due], now: datetime) -> int:
    """Store what is due and notify each person once per kind about what is new.

    Every item is a reminder, unique per (kind, object, occurrence) and inserted set-based; only
    the items this call inserted are announced. A person who has one new item of a kind gets a
    notification about it; a person with several gets one notification listing them (and so at
    most one e-mail per kind per sweep), never one per item. Returns the notifications made.
    """
    if not due:
        return 0
    inserted = _insert_new(
        [(d.kind, d.object_key, d.occurrence, d.title[:200], d.body, d.url[:300], d.escalated) for d in due], now
    )
    if not inserted:
        return 0
    new_ids = {(kind, key, occurrence): pk for pk, kind, key, occurrence in inserted}
    per_person: dict[tuple[int, str], list[tuple[int, rules.Due]]] = defaultdict(list)
    for d in due:
        pk = new_ids.get((d.kind, d.object_key, d.occurrence))
        if pk is not None:
            for user in dict.fromkeys(d.recipients):
                per_person[(user, d.kind)].append((pk, d))
    pairs = [(user, kind, items[0][0]) for (user, kind), items in per_person.items() if len(items) == 1]
    lists = {(user, kind): items for (user, kind), items in per_person.items() if len(items) > 1}
    if lists:
        stamp = f"{now:%Y%m%dT%H%M%S}.{uuid.uuid4().hex[:8]}"
        rows = []
        for (user, kind), items in lists.items():
            title, body, url = _summary(kind, [d for _pk, d in items])
            rows.append((kind, f"{SUMMARY_KEY}{user}", stamp, title, body, url, any(d.escalated for _pk, d in items)))
        for pk, kind, key, _occurrence in _insert_new(rows, now):
            pairs.append((int(key.removeprefix(SUMMARY_KEY)), kind, pk))
    wanted = _email_wanted(due)
    made = Notification.objects.bulk_create(
        [
            Notification(reminder_id=pk, recipient_id=user, email_wanted=(user, kind) in wanted, created_at=now)
            for user, kind, pk in pairs
        ],
        ignore_conflicts=True,
    )
    return len(made)


def reminders_resolve(*, due: list[rules.Due], now: datetime) -> int:
    """Resolve open reminders whose condition cleared, or which a newer repeat replaced.

    Nobody is nagged about them again: the bell stops counting them and e-mails not sent yet
    are dropped.
    """
    active = {(d.kind, d.object_key, d.occurrence) for d in due}
    open_ = (
        Reminder.objects.filter(kind__in=rules.SELF_RESOLVING, resolved_at__isnull=True)
        .exclude(object_key__startswith=SUMMARY_KEY)
        .values_list("pk", "kind", "object_key", "occurrence")
    )
    cleared = [pk for pk, kind, key, occurrence in open_ if (kind, key, occurrence) not in active]
    if cleared:
        Reminder.objects.filter(pk__in=cleared, resolved_at__isnull=True).update(resolved_at=now)
        Notification.objects.filter(reminder_id__in=cleared, emailed_at__isnull=True).update(email_wanted=False)
    return len(cleared)


def _known(now: datetime) -> set[tuple[str, str, str]]:
    """Keys the rules may name again: open reminders of kinds that resolve, recent ones of the rest.

    The sweep offers the store only what is not among them, so a sweep with nothing new sends
    nothing to the database but this read (the unique key still guards whatever is offered).
    """
    recent = now - timedelta(days=rules.LOOK_BACK_DAYS + 1)
    resolving = Q(kind__in=rules.SELF_RESOLVING)
    return set(
        Reminder.objects.filter((resolving & Q(resolved_at__isnull=True)) | (~resolving & Q(created_at__gte=recent)))
        .exclude(object_key__startswith=SUMMARY_KEY)
        .values_list("kind", "object_key", "occurrence")
    )


def reminders_sweep(*, now: datetime | None = None) -> SweepResult:
    """Evaluate every rule, store what is due, resolve what cleared, send the e-mails."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        due = rules.evaluate(now)
        with transaction.atomic():
            known = _known(now)
            fresh = [d for d in due if (d.kind, d.object_key, d.occurrence) not in known]
            created = reminders_store(due=fresh, now=now)
            resolved = reminders_resolve(due=due, now=now)
    emailed = emails_send(now=now)
    return SweepResult(due=len(due), created=created, resolved=resolved, emailed=emailed)


def reminder_for_event(*, kind: str, object_id: int, now: datetime | None = None) -> int:
    """Notify coordinators at once about a new problem or a follow-up request.

    Safe to repeat (the key is the object); if the task never runs, the sweep does the same.
    """
    now = now or timezone.now()
    roles = rules.Roles()
    with translation.override(settings.LANGUAGE_CODE):
        due: list[rules.Due] = []
        if kind == Kind.NEW_PROBLEM:
            problem = Problem.objects.select_related("category", "place").filter(pk=object_id).first()
            if problem:
                due.append(rules.problem_due(problem, roles[COORDINATOR]))
        elif kind == Kind.FOLLOW_UP:
            note = ConversationNote.objects.select_related("place").filter(pk=object_id, wants_follow_up=True).first()
            if note:
                due.append(rules.note_due(note, roles[COORDINATOR]))
        with transaction.atomic():
            created = reminders_store(due=due, now=now)
    emails_send(now=now)
    return created


def _claim(now: datetime) -> list[Notification]:
    """Take a batch of e-mails to send; a concurrent sweep skips the rows this one holds."""
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(email_wanted=True, emailed_at__isnull=True, reminder__resolved_at__isnull=True)
            .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - CLAIM_TIMEOUT))
            .order_by("pk")
            .values_list("pk", flat=True)[:EMAIL_BATCH]
        )
        Notification.objects.filter(pk__in=ids).update(email_claimed_at=now)
    return list(Notification.objects.filter(pk__in=ids).select_related("reminder", "recipient").order_by("pk"))


def _message(notification: Notification, connection: object) -> EmailMultiAlternatives:
    reminder = notification.reminder
    context = {
        "reminder": reminder,
        "user": notification.recipient,
        "url": settings.SITE_URL + (reminder.url or "/"),
        "settings_url": settings.SITE_URL + "/powiadomienia/ustawienia/",
    }
    message = EmailMultiAlternatives(
        subject=f"[Mobilny Asystent] {reminder.title}",
        body=render_to_string("reminders/email.txt", context),
        to=[notification.recipient.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("reminders/email.html", context), "text/html")
    return message


def emails_send(*, now: datetime | None = None) -> int:
    """E-mail each wanted notification once; a failed one is left for the next sweep."""
    now = now or timezone.now()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        while batch := _claim(now):
            connection = get_connection()
            for notification in batch:
                try:
                    _message(notification, connection).send()
                except Exception:  # a bad address or the mail server: the claim expires, a later sweep retries
                    logger.warning(
                        "Reminder e-mail %s failed; retried after the claim expires", notification.pk, exc_info=True
                    )
                    continue
                Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
                sent += 1
            if len(batch) < EMAIL_BATCH:
                break
    return sent


def day_window(day: date) -> tuple[datetime, datetime]:
    """A local calendar day: 23 hours on the last Sunday of March, 25 on the last one of October."""
    tz = timezone.get_current_timezone()
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def digest_daily(*, day: date | None = None, now: datetime | None = None) -> int:
    """Coordinators' digest of a local day (yesterday by default); made and sent once per day."""
    now = now or timezone.now()
    day = day or timezone.localdate(now) - timedelta(days=1)
    start, end = day_window(day)
    roles = rules.Roles()
    with translation.override(settings.LANGUAGE_CODE):
        new = list(
            Problem.objects.filter(reported_at__gte=start, reported_at__lt=end)
            .select_related("category", "place")
            .order_by("reported_at")
        )
        overdue = sorted(rules.answers_overdue(now, roles), key=lambda d: (not d.escalated, d.title))
        untold = rules.feedback_untold(now, roles)
        lines = [_("New problems: %(n)s") % {"n": len(new)}]
        lines += [f"  • {p.code} {p.category} — {p.place or p.location}" for p in new]
        lines.append(_("Overdue answers from institutions: %(n)s") % {"n": len(overdue)})
        escalated = _("ESCALATED")
        lines += [f"  • {'[' + escalated + '] ' if d.escalated else ''}{d.title}" for d in overdue]
        days = settings.REMINDER_UNTOLD_DAYS
        lines.append(
            ngettext(
                "News residents have not heard for over %(days)s day: %(n)s",
                "News residents have not heard for over %(days)s days: %(n)s",
                days,
            )
            % {"days": days, "n": len(untold)}
        )
        lines += [f"  • {d.title}" for d in untold]
        broken = list(Problem.objects.still_broken().select_related("category", "place").order_by("still_broken_since"))
        if broken:
            lines.append(_("Residents say it still does not work: %(n)s") % {"n": len(broken)})
            lines += [f"  • {p.code} {p.category} — {p.place or p.location}" for p in broken]
        digest = rules.Due(
            Kind.DAILY_DIGEST,
            "digest",
            day.isoformat(),
            roles[COORDINATOR],
            _("Daily digest for %(day)s") % {"day": day.strftime("%d.%m.%Y")},
            "\n".join(lines),
            rules.link("dashboard", (), admin="admin:index"),
        )
        with transaction.atomic():
            created = reminders_store(due=[digest], now=now)
    emails_send(now=now)
    return created


def summary_weekly(*, now: datetime | None = None) -> int:
    """Coordinators' summary of the last full week (Monday to Sunday, local time); once per week."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday() + 7)
    sunday = monday + timedelta(days=6)
    start, end = day_window(monday)[0], day_window(sunday)[1]
    roles = rules.Roles()
    with translation.override(settings.LANGUAGE_CODE):
        shifts = Shift.objects.filter(planned_start__gte=start, planned_start__lt=end, status=Shift.Status.ENDED)
        totals = shifts.aggregate(shifts=Count("id"), **{c: Sum(c) for c in Shift.COUNTERS})
        stages = dict(
            ConversationNote.objects.filter(date__gte=monday, date__lte=sunday)
            .values_list("stage")
            .annotate(n=Count("id"))
            .order_by()
        )
        opened = Problem.objects.filter(reported_at__gte=start, reported_at__lt=end).count()
        closed = Problem.objects.settled_between(start, end).count()
        lines = [_("Shifts held: %(n)s") % {"n": totals["shifts"]}, _("Contacts:")]
        labels = {f.name: f.verbose_name for f in Shift._meta.fields}
        lines += [f"  • {labels[c]}: {totals[c] or 0}" for c in Shift.COUNTERS]
        lines.append(_("Notes by journey stage:"))
        lines += [f"  • {label}: {stages.get(value, 0)}" for value, label in ConversationNote.Stage.choices]
        lines.append(_("Problems opened: %(opened)s; settled: %(closed)s") % {"opened": opened, "closed": closed})
        iso = monday.isocalendar()
        summary = rules.Due(
            Kind.WEEKLY_SUMMARY,
            "summary",
            f"{iso.year}-W{iso.week:02d}",
            roles[COORDINATOR],
            _("Weekly summary %(start)s – %(end)s")
            % {"start": monday.strftime("%d.%m"), "end": sunday.strftime("%d.%m.%Y")},
            "\n".join(lines),
            rules.link("dashboard", (), admin="admin:index"),
        )
        with transaction.atomic():
            created = reminders_store(due=[summary], now=now)
    emails_send(now=now)
    return created


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) as read; another's is never touched."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def preferences_save(*, user: User, email_kinds: Iterable[str], offered: Iterable[str] | None = None) -> None:
    """Store which of the ``offered`` kinds (default: all) the user wants by e-mail.

    Kinds not offered keep their setting; e-mails not sent yet follow the new choice.
    """
    chosen = set(email_kinds)
    offered = list(offered) if offered is not None else Kind.values
    with transaction.atomic():
        for kind in offered:
            EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": kind in chosen})
        Notification.objects.filter(
            recipient=user, emailed_at__isnull=True, reminder__kind__in=set(offered) - chosen
        ).update(email_wanted=False)
