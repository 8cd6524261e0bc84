"""Reads of notices: a person's inbox, unread count and preferences."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from yearend.notices.kinds import MANDATORY_KINDS, NoticeKind
from yearend.notices.models import Delivery, Notice, NoticeOptOut
from yearend.people.models import Role, User

# Which kinds each role can receive, so the preferences page offers only those.
KINDS_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.DISTRICT_ADMIN: (
        NoticeKind.DATE_ASSIGNED,
        NoticeKind.DATE_CHANGED,
        NoticeKind.REMINDER,
        NoticeKind.RESET_COMPLETED,
        NoticeKind.IMPORT_HELD,
    ),
    Role.SCHOOL_ADMIN: (NoticeKind.PRINT_REPORTS,),
    Role.TEACHER: (NoticeKind.PRINT_REPORTS,),
    Role.OPS: (
        NoticeKind.OPS_RESET_FAILED,
        NoticeKind.OPS_RESET_NOT_STARTED,
        NoticeKind.OPS_SYNCS_PAUSED,
    ),
    Role.CSM: (),
}


def notices_for(user: User) -> QuerySet[Notice]:
    """The person's own notices, newest first; a notice cancelled unsent was never news."""
    if not (user and user.is_authenticated and user.is_active):
        return Notice.unscoped.none()
    if user.organization_id is not None:
        # Educators: through the tenant key, like every other read of organization data.
        base = Notice.tenant.of(user.organization_id)
    else:
        base = Notice.unscoped.all()  # vendor staff hear about every organization
    return (
        base.filter(recipient=user)
        .exclude(delivery=Delivery.CANCELLED)
        .select_related("organization")
        .order_by("-created_at", "-id")
    )


def unread_count(user: User) -> int:
    """One indexed count (the partial index on unread notices), cheap on every page."""
    if not (user and user.is_authenticated and user.is_active):
        return 0
    return (
        Notice.unscoped.filter(recipient_id=user.pk, read_at__isnull=True)
        .exclude(delivery=Delivery.CANCELLED)
        .count()
    )


def notice_for(user: User, notice_id: int) -> Notice | None:
    return notices_for(user).filter(pk=notice_id).first()


@dataclass(frozen=True)
class Preference:
    kind: str
    label: str
    enabled: bool
    mandatory: bool


def preferences_for(user: User) -> list[Preference]:
    turned_off = set(NoticeOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return [
        Preference(
            kind=kind,
            label=NoticeKind(kind).label,
            enabled=kind in MANDATORY_KINDS or kind not in turned_off,
            mandatory=kind in MANDATORY_KINDS,
        )
        for kind in KINDS_BY_ROLE.get(user.role, ())
    ]
