"""Writes of notices: record what is due, cancel re-planned reminders, deliver, read.

Delivery guarantee. A notice is first *recorded* (inserted; the unique key makes the
insert the claim, so repeated or concurrent passes record it once) and committed before
any mail leaves. Delivery then claims each row with a conditional update
(PENDING -> SENDING), sends, and marks it SENT right away. A worker killed

- before the claim leaves it PENDING: the next pass sends it;
- after the claim (before the send, or after the mail server accepted it but before SENT
  was written) leaves it SENDING. Nobody can tell which of the two happened, and a
  notice is never sent twice, so a claim older than ``SEND_STALE_AFTER`` is given up:
  marked INTERRUPTED, not resent. The notice stays in the person's portal inbox, and
  the email of at most one notice per killed worker may be missing (at-most-once).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import InvalidInput
from yearend.notices import planning
from yearend.notices.kinds import MANDATORY_KINDS, REMINDER_KINDS, NoticeKind
from yearend.notices.models import Delivery, Notice, NoticeOptOut
from yearend.notices.rendering import render_notice
from yearend.notices.selectors import KINDS_BY_ROLE
from yearend.people.models import User
from yearend.resetdates.selectors import reset_days_not_started

logger = logging.getLogger(__name__)

# A SENDING claim older than this belongs to a worker that died: it is given up.
SEND_STALE_AFTER = timedelta(minutes=15)
SEND_TIMEOUT_SECONDS = 60
# A mail the server keeps refusing is given up after this many tries (it stays in the portal).
MAX_ATTEMPTS = 5
# Mails sent per pass at most; the rest go in the next pass minutes later.
DELIVERY_BATCH = 2_000
_KEY_CHUNK = 500
_LOAD_CHUNK = 200


def notices_send_due(
    *, as_of: date | None = None, now: datetime | None = None, connection=None
) -> dict:
    """One pass: record every notice due by now (or by the end of ``as_of``, a replayed
    day), cancel reminders for dates that moved, then send what is unsent (through
    ``connection`` if given, else the configured mail backend)."""
    now = now or timezone.now()
    clock = planning.Clock.for_pass(now=now, as_of=as_of)
    recorded = notices_record_due(clock)
    cancelled = notices_cancel_replanned()
    delivered = notices_deliver(now=now, connection=connection)
    return {"recorded": recorded, "cancelled": cancelled, **delivered}


def _existing_keys(drafts: list[planning.Draft]) -> set[tuple[str, str, int]]:
    keys = sorted({d.subject_key for d in drafts})
    kinds = sorted({d.kind for d in drafts})
    existing: set[tuple[str, str, int]] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        existing.update(
            Notice.unscoped.filter(
                kind__in=kinds, subject_key__in=keys[start : start + _KEY_CHUNK]
            ).values_list("kind", "subject_key", "recipient_id")
        )
    return existing


def notices_record_due(clock: planning.Clock) -> int:
    """Insert a notice row for every due (notice, recipient) not yet recorded; returns
    how many were new to this pass. Nothing is sent here."""
    drafts = planning.all_drafts(clock)
    existing = _existing_keys(drafts)
    pairs = [
        (draft, person)
        for draft in drafts
        for person in draft.recipients
        if (draft.kind, draft.subject_key, person.pk) not in existing
    ]
    if not pairs:
        return 0
    turned_off = set(
        NoticeOptOut.objects.filter(user_id__in={p.pk for _, p in pairs}).values_list(
            "user_id", "kind"
        )
    )
    pairs = [
        (draft, person)
        for draft, person in pairs
        if draft.kind in MANDATORY_KINDS or (person.pk, draft.kind) not in turned_off
    ]
    needing = list({id(d): d for d, _ in pairs if d.needs_undone}.values())
    undone = planning.undone_items(needing, clock)
    for draft in needing:
        draft.context["undone"] = undone[draft.organization.pk]
    rows = []
    for draft, person in pairs:
        rendered = render_notice(
            kind=draft.kind,
            organization=draft.organization,
            recipient=person,
            context=draft.context,
        )
        rows.append(
            Notice(
                organization=draft.organization,
                recipient=person,
                kind=draft.kind,
                subject_key=draft.subject_key,
                planned_for=draft.planned_for,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                link=rendered.link,
                email=person.email,
                # Without an address the portal is the only way it reaches the person.
                delivery=Delivery.PENDING if person.email else Delivery.NO_EMAIL,
            )
        )
    if rows:
        with transaction.atomic():
            # The unique key is the claim: a row another pass recorded meanwhile is skipped.
            Notice.unscoped.bulk_create(rows, ignore_conflicts=True, batch_size=500)
            audit_record(
                action=AuditAction.NOTICES_RECORDED,
                via=Via.SYSTEM,
                details={
                    "count": len(rows),
                    "kinds": dict(Counter(row.kind for row in rows)),
                    "as_of": clock.as_of.isoformat() if clock.as_of else None,
                },
            )
    return len(rows)


def notices_cancel_replanned() -> int:
    """Cancel unsent reminders planned for a reset date the organization no longer has
    (the date moved, or the reset started). Their replacements are planned by the date."""
    pending = list(
        Notice.unscoped.filter(kind__in=REMINDER_KINDS, delivery=Delivery.PENDING).values_list(
            "pk", "organization_id", "planned_for"
        )
    )
    if not pending:
        return 0
    current = reset_days_not_started({org for _, org, _ in pending})
    stale = [pk for pk, org, day in pending if (org, day) not in current]
    if not stale:
        return 0
    return Notice.unscoped.filter(pk__in=stale, delivery=Delivery.PENDING).update(
        delivery=Delivery.CANCELLED
    )


def _sendable(now: datetime) -> Q:
    return Q(delivery=Delivery.PENDING)


def _give_up_interrupted(now: datetime) -> int:
    """Claims whose worker died: the mail may have left, so never send them again."""
    return Notice.unscoped.filter(
        delivery=Delivery.SENDING, send_claimed_at__lt=now - SEND_STALE_AFTER
    ).update(
        delivery=Delivery.INTERRUPTED,
        last_error="The sender stopped while sending; not resent so that no one gets it twice.",
    )


def _send(notice: Notice, connection) -> None:
    message = mail.EmailMultiAlternatives(
        subject=notice.subject,
        body=notice.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.email],
        connection=connection,
        headers={"X-Yearend-Notice": f"{notice.kind}:{notice.pk}"},
    )
    message.attach_alternative(notice.body_html, "text/html")
    message.send()


def _deliver_one(notice: Notice, now: datetime, connection) -> str:
    """Claim, send, mark sent: two conditional updates around the mail."""
    claimed = Notice.unscoped.filter(_sendable(now), pk=notice.pk).update(
        delivery=Delivery.SENDING, send_claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return "skipped"  # another worker has it, or it was cancelled meanwhile
    attempts = notice.attempts + 1
    try:
        _send(notice, connection)
    except Exception as error:
        gave_up = attempts >= MAX_ATTEMPTS
        Notice.unscoped.filter(pk=notice.pk, delivery=Delivery.SENDING).update(
            delivery=Delivery.FAILED if gave_up else Delivery.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        logger.warning(
            "notice %s to %s not sent (attempt %s): %s", notice.pk, notice.email, attempts, error
        )
        return "failed" if gave_up else "retry"
    _mark_sent(notice.pk, timezone.now())
    return "sent"


def _mark_sent(notice_id: int, now: datetime) -> None:
    Notice.unscoped.filter(pk=notice_id, delivery=Delivery.SENDING).update(
        delivery=Delivery.SENT, sent_at=now
    )


def notices_deliver(
    *, now: datetime | None = None, limit: int = DELIVERY_BATCH, connection=None
) -> dict:
    """Send recorded, unsent notices; each claimed by a conditional update first."""
    now = now or timezone.now()
    _give_up_interrupted(now)
    ids = list(
        Notice.unscoped.filter(_sendable(now)).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    counts: Counter[str] = Counter()
    if not ids:
        return {"sent": 0, "retry": 0, "failed": 0}
    # A send must end long before SEND_STALE_AFTER, or a second worker could take over
    # a mail that is still on its way (Django's SMTP default is to wait forever).
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SEND_TIMEOUT_SECONDS
    connection = connection or mail.get_connection(timeout=timeout)
    try:
        for start in range(0, len(ids), _LOAD_CHUNK):
            # A recorded notice's text never changes: read a chunk before claiming it.
            loaded = Notice.unscoped.in_bulk(ids[start : start + _LOAD_CHUNK])
            for notice_id in sorted(loaded):
                counts[_deliver_one(loaded[notice_id], now, connection)] += 1
    finally:
        connection.close()
    return {"sent": counts["sent"], "retry": counts["retry"], "failed": counts["failed"]}


def notices_mark_read(*, user: User, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the person's own notices read (all of them, or those given)."""
    rows = Notice.unscoped.filter(recipient_id=user.pk, read_at__isnull=True)
    if notice_ids is not None:
        rows = rows.filter(pk__in=list(notice_ids))
    return rows.update(read_at=timezone.now())


@transaction.atomic
def notice_preferences_update(
    *, user: User, turned_off: Iterable[str], via: str = Via.PORTAL
) -> list[str]:
    """Set which optional kinds the person does not want; returns them, sorted.

    Failure alerts to operations cannot be turned off: asking is refused by name.
    """
    turned_off = set(turned_off)
    unknown = turned_off - set(NoticeKind.values)
    if unknown:
        raise InvalidInput(f"Unknown kind of notice: {', '.join(sorted(unknown))}.", field="kind")
    mandatory = turned_off & MANDATORY_KINDS
    if mandatory:
        labels = ", ".join(NoticeKind(k).label for k in sorted(mandatory))
        raise InvalidInput(f"These alerts cannot be turned off: {labels}.", field="kind")
    relevant = set(KINDS_BY_ROLE.get(user.role, ()))
    foreign = turned_off - relevant
    if foreign:
        raise InvalidInput(
            f"{user.get_role_display()}s do not get these notices: {', '.join(sorted(foreign))}.",
            field="kind",
        )
    NoticeOptOut.objects.filter(user=user).exclude(kind__in=turned_off).delete()
    NoticeOptOut.objects.bulk_create(
        [NoticeOptOut(user=user, kind=kind) for kind in sorted(turned_off)],
        ignore_conflicts=True,
    )
    audit_record(
        action=AuditAction.NOTICE_PREFERENCES_CHANGED,
        actor=user,
        organization=user.organization,
        via=via,
        details={"turned_off": sorted(turned_off)},
    )
    return sorted(turned_off)
