"""Reads of people: who holds a role, for those who write to them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from yearend.people.models import Role, User


def active_people_by_organization(
    organization_ids: Iterable[int], roles: Iterable[str]
) -> dict[int, list[User]]:
    """Active people of these organizations holding one of ``roles``, oldest account
    first, per organization: one query for all of them."""
    people: dict[int, list[User]] = defaultdict(list)
    ids = set(organization_ids)
    if not ids:
        return people
    for user in User.objects.filter(
        organization_id__in=ids, role__in=list(roles), is_active=True
    ).order_by("pk"):
        people[user.organization_id].append(user)
    return people


def active_operations_staff() -> list[User]:
    return list(User.objects.filter(role=Role.OPS, is_active=True).order_by("pk"))
