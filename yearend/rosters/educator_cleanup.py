"""Educator clean-up: find educators who have left, and remove several at once.

The seed asks districts to clean up departed educators before the new school year.
Two signals say an educator may have left:

- *missing from the roster*: the organization's roster comes from its SIS, and the
  educator is not in it. A bulk roster import already deactivates educators whose
  sourcedId it no longer lists, so an active educator that is missing from the roster
  is one the SIS never knew (no sourcedId: created by hand or by an older import). The
  signal only means something once the organization has applied a roster at all; before
  that, nobody is "missing".
- *not signed in*: no sign-in for a chosen number of days (an educator who never signed
  in counts from the day the account was created).

Removal is a **deactivation**, not a deletion (see ``educators_remove``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.classes.models import TeacherAssignment
from yearend.errors import Forbidden, InvalidInput
from yearend.organizations.models import Organization
from yearend.people.models import EDUCATOR_ROLES, Role, SchoolMembership, User
from yearend.rosters.models import ImportRun

MISSING_FROM_ROSTER = "missing_from_roster"
NOT_SIGNED_IN = "not_signed_in"

REASON_LABELS = {
    MISSING_FROM_ROSTER: "Not in the latest roster from the SIS",
    NOT_SIGNED_IN: "Not signed in recently",
}

# A removal is a deliberate act on named people: keep one request to a size a person
# can have reviewed on a confirmation page.
MAX_REMOVALS_PER_REQUEST = 1000


@dataclass
class CleanupCandidate:
    educator: User
    reasons: list[str] = field(default_factory=list)

    @property
    def reason_labels(self) -> list[str]:
        return [REASON_LABELS[r] for r in self.reasons]


def latest_applied_roster_run(organization: Organization):
    """The newest roster import that changed this organization's data, or None."""
    return (
        ImportRun.tenant.of(organization)
        .filter(status=ImportRun.Status.APPLIED, dry_run=False)
        .order_by("-started_at", "-pk")
        .first()
    )


def _active_educators(organization: Organization):
    return _active_educators_where(organization=organization)


def _not_signed_in_since(cutoff) -> Q:
    # Someone who never signed in counts from the day the account was made.
    return Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)


def cleanup_candidate_counts(
    organization_ids: Iterable[int], *, not_signed_in_days: int | None, now=None
) -> dict[int, int]:
    """Per organization, how many educators match either clean-up signal: one query.

    The same rules as ``cleanup_candidates`` (with ``missing_from_roster``) for many
    organizations at once: the reminders count them for every district due soon, the
    portal home counts the missing ones only (``not_signed_in_days=None``).
    """
    ids = list(organization_ids)
    signals = _missing_from_roster()
    if not_signed_in_days is not None:
        cutoff = (now or timezone.now()) - timedelta(days=not_signed_in_days)
        signals |= _not_signed_in_since(cutoff)
    return dict(
        _active_educators_where(organization_id__in=ids)
        .filter(signals)
        .values_list("organization_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def educators_missing_from_roster(organization) -> QuerySet[User]:
    """Active educators missing from the roster (the rule of ``cleanup_candidate_counts``
    without the sign-in signal) of ``organization``: an organization, its id or
    ``OuterRef("pk")``, so a page can count them inside a query of its own."""
    return _active_educators_where(
        organization_id=getattr(organization, "pk", organization)
    ).filter(_missing_from_roster())


def educators_removed(organization, *, since) -> QuerySet[User]:
    """Educators of ``organization`` (an organization, its id or ``OuterRef("pk")``)
    removed after ``since``, the latest removal first. One removal marks all its
    educators with the same ``removed_at``; an educator the SIS lists again is not
    removed any more (the import clears it)."""
    return User.objects.filter(
        organization_id=getattr(organization, "pk", organization), removed_at__gt=since
    ).order_by("-removed_at")


def _active_educators_where(**organization) -> QuerySet[User]:
    return User.objects.filter(
        **organization, role__in=[r.value for r in EDUCATOR_ROLES], is_active=True
    )


def _missing_from_roster() -> Q:
    """No sourcedId, in an organization that has applied a roster at all."""
    rostered = ImportRun.unscoped.filter(
        organization_id=OuterRef("organization_id"),
        status=ImportRun.Status.APPLIED,
        dry_run=False,
    )
    return Q(sis_sourced_id="") & Q(Exists(rostered))


def cleanup_candidates(
    organization: Organization,
    *,
    not_signed_in_days: int | None,
    missing_from_roster: bool,
) -> list[CleanupCandidate]:
    """Active educators of ``organization`` that match at least one chosen signal.

    Each candidate carries every reason that applies, so the page can say why. With no
    signal chosen the answer is empty (never "everyone").
    """
    if not_signed_in_days is not None:
        if isinstance(not_signed_in_days, bool) or not isinstance(not_signed_in_days, int):
            raise InvalidInput("The number of days must be a whole number.", field="days")
        if not_signed_in_days < 1 or not_signed_in_days > 3660:
            raise InvalidInput("The number of days must be between 1 and 3660.", field="days")
    educators = _active_educators(organization)
    missing_q = Q(pk__in=[])
    if missing_from_roster and latest_applied_roster_run(organization) is not None:
        missing_q = Q(sis_sourced_id="")
    idle_q = Q(pk__in=[])
    if not_signed_in_days is not None:
        idle_q = _not_signed_in_since(timezone.now() - timedelta(days=not_signed_in_days))

    missing_ids = set(educators.filter(missing_q).values_list("pk", flat=True))
    idle_ids = set(educators.filter(idle_q).values_list("pk", flat=True))
    wanted = missing_ids | idle_ids
    result = []
    for educator in educators.filter(pk__in=wanted).order_by("last_name", "first_name", "username"):
        reasons = []
        if educator.pk in missing_ids:
            reasons.append(MISSING_FROM_ROSTER)
        if educator.pk in idle_ids:
            reasons.append(NOT_SIGNED_IN)
        result.append(CleanupCandidate(educator=educator, reasons=reasons))
    return result


@transaction.atomic
def educators_remove(
    *,
    organization: Organization,
    educator_ids: Iterable[int],
    acting_user: User,
    via: str = Via.PORTAL,
) -> list[int]:
    """Remove several educators of ``organization`` at once; returns the removed ids.

    Removal **deactivates** the account (``is_active=False``, ``removed_at`` set) and
    takes the educator off schools and classes; it does not delete the row. Educators
    are retained data (DESIGN rule 10): audit rows, date-change history, exports and
    reset records name them, and a deleted row would leave those pointing at nothing. A
    deactivated account cannot sign in (Django refuses inactive users, and the scoping
    helper shows inactive users nothing), and if the SIS later lists the person again the
    roster import reactivates the same account instead of creating a second one.

    All or nothing: an id that is not an active educator of this organization (another
    organization's user, vendor staff, an unknown id) refuses the whole request, with
    the same message whether or not the id exists elsewhere. Administrators may not
    remove themselves (that would lock them out mid-task).
    """
    if not acting_user or not getattr(acting_user, "is_authenticated", False):
        raise Forbidden("Sign in to remove educators.")
    if not (
        acting_user.role in (Role.CSM, Role.OPS)
        or (
            acting_user.role == Role.DISTRICT_ADMIN
            and acting_user.organization_id == organization.pk
        )
    ):
        raise Forbidden("Only a district administrator of this organization may remove educators.")
    try:
        wanted = sorted({int(i) for i in educator_ids})
    except (TypeError, ValueError):
        raise InvalidInput("Educator ids must be whole numbers.", field="educators") from None
    if not wanted:
        raise InvalidInput("Choose at least one educator to remove.", field="educators")
    if len(wanted) > MAX_REMOVALS_PER_REQUEST:
        raise InvalidInput(
            f"Remove at most {MAX_REMOVALS_PER_REQUEST} educators at once.", field="educators"
        )
    if acting_user.pk in wanted:
        raise InvalidInput("You cannot remove your own account.", field="educators")

    # Lock the rows so two administrators removing the same people do not both count them.
    found = list(
        _active_educators(organization)
        .select_for_update()
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        shown = ", ".join(str(i) for i in unknown[:10])
        raise InvalidInput(
            f"Not an active educator of {organization.site_code}: {shown}. Nothing was removed.",
            field="educators",
        )

    now = timezone.now()
    User.objects.filter(organization=organization, pk__in=found).update(
        is_active=False, removed_at=now
    )
    SchoolMembership.tenant.of(organization).filter(user_id__in=found).delete()
    TeacherAssignment.tenant.of(organization).filter(teacher_id__in=found).delete()
    audit_record(
        action=AuditAction.EDUCATORS_REMOVE,
        actor=acting_user,
        organization=organization,
        via=via,
        details={"educator_ids": found, "count": len(found)},
    )
    return found
