"""The organization's educators and their schools against the staged ones, as statements.

Like ``StudentSets`` (``student_sets.py``): each method returns the FROM/WHERE of a
statement and its parameters, which the plan counts, the preview samples and the apply
writes with, so the three always agree and no educator is held in Python. Stored
educators are ``p``, staged ones ``u``.

An educator is matched by sourcedId among all the organization's accounts, active or
not: one the SIS lists again after removing it keeps its account (and its history).
"""

from __future__ import annotations

from yearend.organizations.models import School
from yearend.people.models import SchoolMembership, User
from yearend.rosters.importer.link_sets import LinkSets
from yearend.rosters.oneroster.rows import DELETED, EDUCATOR
from yearend.rosters.staging.tables import EDUCATOR_SCHOOLS, USERS, table_of

VALUES = ("username", "first_name", "last_name", "email", "role")
STAGED = f"u.kind = '{EDUCATOR}' AND u.dup = 0"


def same_values(stored: str, staged: str) -> str:
    return " AND ".join(f"{stored}.{c} = {staged}.{c}" for c in VALUES)


class EducatorSets:
    def __init__(self, organization_id: int, mode: str | None) -> None:
        self.org, self.mode = organization_id, mode
        self.user = table_of(User)

    def _linked(self, alias: str) -> str:
        # As the partial unique index on (organization, sis_sourced_id) says it.
        return f"{alias}.organization_id = %s AND NOT ({alias}.sis_sourced_id = '')"

    def existing(self) -> tuple[str, list]:
        return f"FROM {self.user} p WHERE {self._linked('p')} AND p.is_active", [self.org]

    def added(self) -> tuple[str, list]:
        return (
            f"FROM {USERS} u WHERE {STAGED} AND NOT EXISTS (SELECT 1 FROM {self.user} p "
            f"WHERE {self._linked('p')} AND p.sis_sourced_id = u.sid)",
            [self.org],
        )

    def changed(self) -> tuple[str, list]:
        """Stored educators whose staged row differs, and removed ones listed again."""
        return (
            f"FROM {USERS} u JOIN {self.user} p ON p.sis_sourced_id = u.sid AND "
            f"{self._linked('p')} WHERE {STAGED} AND (NOT p.is_active OR NOT ("
            f"{same_values('p', 'u')}))",
            [self.org],
        )

    def removed(self) -> tuple[str, list]:
        """Bulk: active educators users.csv does not list. Delta: those it deletes."""
        sql, params = self.existing()
        sql += (
            f" AND NOT EXISTS (SELECT 1 FROM {USERS} u WHERE u.sid = p.sis_sourced_id AND {STAGED})"
        )
        if self.mode != "bulk":
            sql += (
                f" AND EXISTS (SELECT 1 FROM {USERS} d WHERE d.sid = p.sis_sourced_id "
                f"AND d.kind = '{DELETED}' AND d.dup = 0)"
            )
        return sql, params

    def usernames_taken(self) -> tuple[str, list]:
        """Educators to add whose username another account already has."""
        sql, params = self.added()
        return (
            f"{sql} AND EXISTS (SELECT 1 FROM {self.user} o WHERE o.username = u.username)",
            params,
        )


class MembershipSets(LinkSets):
    """Which schools each educator of users.csv works at. Only the memberships of
    educators the file lists or deletes change: stored memberships ``m`` (their educator
    ``p``, school ``sc``), wanted ones ``w`` (user_sid, school_sid)."""

    def __init__(self, organization_id: int) -> None:
        membership, user, school = (table_of(m) for m in (SchoolMembership, User, School))
        super().__init__(
            stored=(
                # Each table constrained by the organization: the lookups of a wanted
                # pair's educator and school then use their (organization, sourcedId) indexes.
                f"FROM {membership} m JOIN {user} p ON p.id = m.user_id "
                "AND p.organization_id = %s AND NOT (p.sis_sourced_id = '') "
                f"JOIN {school} sc ON sc.id = m.school_id AND sc.organization_id = %s "
                "AND NOT (sc.sis_sourced_id = '') WHERE m.organization_id = %s",
                [organization_id] * 3,
            ),
            wanted=(
                "(SELECT DISTINCT u.sid AS user_sid, es.school_sid "
                f"FROM {EDUCATOR_SCHOOLS} es JOIN {USERS} u ON u.line = es.line "
                f"WHERE {STAGED} AND u.role <> 'district_admin') w"
            ),
            match="p.sis_sourced_id = w.user_sid AND sc.sis_sourced_id = w.school_sid",
        )

    def removed(self) -> tuple[str, list]:
        """Stored memberships of an educator the file lists at other schools, or deletes."""
        sql, params = self.stored
        # Looked up through the staged users' sourcedId index, row by row: a derived table
        # of the wanted pairs here would be computed again for each stored membership.
        return (
            f"{sql} AND (EXISTS (SELECT 1 FROM {USERS} u WHERE u.sid = p.sis_sourced_id "
            f"AND {STAGED}) OR (p.is_active AND EXISTS (SELECT 1 FROM {USERS} d "
            f"WHERE d.sid = p.sis_sourced_id AND d.kind = '{DELETED}' AND d.dup = 0))) "
            f"AND NOT EXISTS (SELECT 1 FROM {USERS} u JOIN {EDUCATOR_SCHOOLS} es "
            f"ON es.line = u.line WHERE u.sid = p.sis_sourced_id AND {STAGED} "
            "AND u.role <> 'district_admin' AND es.school_sid = sc.sis_sourced_id)",
            params,
        )
