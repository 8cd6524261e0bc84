from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.errors import Conflict, InvalidInput
from yearend.organizations.models import Organization, School
from yearend.people.models import (
    EDUCATOR_ROLES,
    SCHOOL_BOUND_ROLES,
    VENDOR_ROLES,
    Role,
    SchoolMembership,
    Student,
    User,
)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    organization: Organization | None = None,
    schools: Iterable[School] = (),
    password: str | None = None,
    password_hash: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    acting_user=None,
    via: str = Via.COMMAND,
) -> tuple[User, str]:
    """Create an educator or vendor-staff account. Returns the user and its password.

    ``password_hash`` (an already hashed password) lets bulk onboarding and demo data
    skip the deliberately slow hasher; the returned password is then empty.
    """
    username = (username or "").strip()
    if not username:
        raise InvalidInput("A username is required.", field="username")
    if role not in Role.values:
        raise InvalidInput(
            f"Unknown role {role!r}: use one of {', '.join(Role.values)}.", field="role"
        )
    schools = list(schools)
    if role in EDUCATOR_ROLES and organization is None:
        raise InvalidInput(f"Role {role} needs an organization (--org).", field="org")
    if role in VENDOR_ROLES and organization is not None:
        raise InvalidInput(
            f"Role {role} is vendor staff and belongs to no organization.", field="org"
        )
    if schools and role not in SCHOOL_BOUND_ROLES:
        raise InvalidInput(f"Role {role} is not tied to schools.", field="school")
    if any(school.organization_id != getattr(organization, "pk", None) for school in schools):
        raise InvalidInput("A school of another organization was given.", field="school")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"Username {username!r} is already taken.", field="username")
    if password_hash is None:
        password = password or generate_password()

    user = User(
        username=username,
        role=role,
        organization=organization,
        email=email,
        first_name=first_name,
        last_name=last_name,
        # Operations run the Django admin, the first operations console.
        is_staff=role == Role.OPS,
        is_superuser=role == Role.OPS,
    )
    if password_hash is None:
        user.set_password(password)
    else:
        user.password, password = password_hash, ""
    user.save()
    SchoolMembership.unscoped.bulk_create(
        [SchoolMembership(organization=organization, user=user, school=s) for s in schools]
    )
    audit_record(
        action=AuditAction.USER_CREATE,
        actor=acting_user,
        organization=organization,
        via=via,
        details={"user_id": user.pk, "role": role},
    )
    return user, password


def student_authenticate(*, site_code: str, username: str, password: str) -> Student | None:
    """Sign a student in to the products.

    Only an account of the organization's current roster epoch can sign in: the
    reset's cut-over advances the epoch, which locks out every old account at once.
    """
    try:
        organization = Organization.objects.get(site_code=site_code)
    except Organization.DoesNotExist:
        return None
    student = (
        Student.tenant.of(organization)
        .filter(epoch=organization.student_epoch, username=username)
        .first()
    )
    if student is None or not check_password(password, student.password):
        return None
    Student.tenant.of(organization).filter(pk=student.pk).update(last_login=timezone.now())
    return student
