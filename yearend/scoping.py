"""The one place that decides what a user may see.

Every view, API endpoint and command asks these functions for its querysets, so
tenant isolation is decided once:

- nobody signed in (or inactive): nothing;
- vendor staff (customer-success managers, operations): every organization;
- district administrators: their organization, all its schools;
- school administrators and teachers: their organization, only their schools
  (teachers: only the classes they teach).

``organization_for`` and friends raise ``NotVisible`` (a 404 to the web) for an object
outside that reach, so an outsider cannot even learn that it exists.
"""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from yearend.classes.models import SchoolClass
from yearend.organizations.models import Organization, School
from yearend.people.models import SCHOOL_BOUND_ROLES, VENDOR_ROLES, Role, Student, User


class NotVisible(Http404):
    """The object does not exist for this user (whether or not it exists at all)."""


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def organizations_for(user: User) -> QuerySet[Organization]:
    if not _active(user):
        return Organization.objects.none()
    if user.role in VENDOR_ROLES:
        return Organization.objects.all()
    if user.organization_id is None:
        return Organization.objects.none()
    return Organization.objects.filter(pk=user.organization_id)


def schools_for(user: User, organization: Organization | None = None) -> QuerySet[School]:
    if not _active(user):
        return School.unscoped.none()
    if user.role in VENDOR_ROLES:
        schools = School.unscoped.all() if organization is None else School.tenant.of(organization)
    elif user.organization_id is None:
        return School.unscoped.none()
    else:
        schools = School.tenant.of(user.organization_id)
        if user.role in SCHOOL_BOUND_ROLES:
            schools = schools.filter(memberships__user=user)
    if organization is not None:
        schools = schools.filter(organization=organization)
    return schools


def students_for(user: User, organization: Organization | None = None) -> QuerySet[Student]:
    """Current students (of the organization's current roster epoch) the user may see."""
    if not _active(user):
        return Student.unscoped.none()
    if user.role in VENDOR_ROLES:
        base = Student.unscoped.all() if organization is None else Student.tenant.of(organization)
    elif user.organization_id is None:
        return Student.unscoped.none()
    else:
        base = Student.tenant.of(user.organization_id)
        if user.role == Role.TEACHER:
            base = base.filter(
                enrollments__school_class__teacher_assignments__teacher=user
            ).distinct()
        elif user.role == Role.SCHOOL_ADMIN:
            base = base.filter(school__in=schools_for(user))
    if organization is not None:
        base = base.filter(organization=organization)
    return base.filter(epoch=F("organization__student_epoch"))


def classes_for(user: User, organization: Organization | None = None) -> QuerySet[SchoolClass]:
    if not _active(user):
        return SchoolClass.unscoped.none()
    if user.role in VENDOR_ROLES:
        base = (
            SchoolClass.unscoped.all()
            if organization is None
            else SchoolClass.tenant.of(organization)
        )
    elif user.organization_id is None:
        return SchoolClass.unscoped.none()
    else:
        base = SchoolClass.tenant.of(user.organization_id)
        if user.role == Role.TEACHER:
            base = base.filter(teacher_assignments__teacher=user)
        elif user.role == Role.SCHOOL_ADMIN:
            base = base.filter(school__in=schools_for(user))
    if organization is not None:
        base = base.filter(organization=organization)
    return base.filter(epoch=F("organization__student_epoch"))


def organization_for(user: User, site_code: str) -> Organization:
    try:
        return organizations_for(user).get(site_code=site_code)
    except Organization.DoesNotExist:
        raise NotVisible(f"No organization {site_code!r}") from None


def school_for(user: User, organization: Organization, school_id: int) -> School:
    try:
        return schools_for(user, organization).get(pk=school_id)
    except (School.DoesNotExist, ValueError, TypeError):
        raise NotVisible("No such school") from None


def can_manage_organization(user: User, organization: Organization) -> bool:
    """District administrators of the organization, and vendor staff."""
    if not _active(user):
        return False
    if user.role in VENDOR_ROLES:
        return True
    return user.role == Role.DISTRICT_ADMIN and user.organization_id == organization.pk


def vendor_staff(user: User, *roles: str) -> User:
    """The user, if vendor staff (of one of ``roles`` when given); else ``NotVisible``.

    The vendor pages (every organization at once) do not exist for anyone else, and a
    customer-success manager does not see the operations actions (nor the reverse).
    """
    if not _active(user) or user.role not in (roles or VENDOR_ROLES):
        raise NotVisible("No such page")
    return user
