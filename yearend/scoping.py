"""The one place that decides what a user may see and act on.

The portal and the API ask these functions before they call a service, so tenant
isolation and access by role are decided once:

- nobody signed in (or inactive): nothing;
- vendor staff (customer-success managers, operations): every organization;
- district administrators: their organization, all its schools;
- school administrators and teachers: their organization, only their schools
  (teachers: only the classes they teach).

Two refusals, and each door maps them to a status:

- ``NotVisible``: outside the user's reach. A 404 everywhere, whether or not the object
  exists elsewhere, so an outsider cannot even learn that it exists.
- ``NotAllowed``: visible, but not for this user's role. The API answers 403 with the
  reason; the portal answers 404, as for anything out of reach.

Scoping sits right below the doors and reads the models of the apps below it; those
apps never import it. A door asks here, then calls the service (whose own rules, such as
who may move a date outside the window, stay in the service).
"""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from yearend.classes.models import SchoolClass
from yearend.errors import Forbidden, NotFound
from yearend.organizations.models import Organization, School
from yearend.people.models import SCHOOL_BOUND_ROLES, VENDOR_ROLES, Role, Student, User
from yearend.reports.models import ExportJob, YearEndArchive
from yearend.reports.selectors import progress_students
from yearend.resetdates.selectors import calendar_feed_path
from yearend.resets.models import ResetRun


class NotVisible(NotFound, Http404):
    """The object does not exist for this user (whether or not it exists at all)."""


class NotAllowed(Forbidden):
    """The object is visible, but the user's role may not open or change it."""


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# --- what a user sees: querysets ------------------------------------------------------


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


# --- roles ------------------------------------------------------------------------------


def can_manage_organization(user: User, organization: Organization) -> bool:
    """District administrators of the organization, and vendor staff."""
    if not _active(user):
        return False
    if user.role in VENDOR_ROLES:
        return True
    return user.role == Role.DISTRICT_ADMIN and user.organization_id == organization.pk


def can_export(user: User, organization: Organization) -> bool:
    """Whether to offer the export at all; ``export_scope_check`` decides each request."""
    return can_manage_organization(user, organization) or user.role == Role.SCHOOL_ADMIN


_VENDOR_NAMES = {Role.CSM: "customer-success managers", Role.OPS: "operations"}


def vendor_staff(user: User, *roles: str) -> User:
    """The user, if vendor staff (of one of ``roles`` when given).

    The vendor pages (every organization at once) do not exist for anyone else, and a
    customer-success manager does not get the operations actions (nor the reverse).
    """
    if not _active(user):
        raise NotVisible("No such page")
    wanted = [role for role in VENDOR_ROLES if role in (roles or VENDOR_ROLES)]
    if user.role not in wanted:
        names = " and ".join(_VENDOR_NAMES[role] for role in wanted)
        raise NotAllowed(f"Only {names} may do this.")
    return user


# --- one object, or a refusal -----------------------------------------------------------


def organization_for(user: User, site_code: str) -> Organization:
    try:
        organization = organizations_for(user).get(site_code=site_code)
    except Organization.DoesNotExist:
        raise NotVisible(f"No organization {site_code!r}") from None
    if user.organization_id == organization.pk:
        # Pages name the user's own organization in their header: the row just read, not
        # a second query for the same one.
        user.organization = organization
    return organization


def managed_organization(user: User, site_code: str) -> Organization:
    """The organization, for its district administrators and vendor staff only."""
    organization = organization_for(user, site_code)
    if not can_manage_organization(user, organization):
        raise NotAllowed(
            f"Only district administrators of {organization.site_code} and vendor staff "
            "may do this.",
            field="site_code",
        )
    return organization


def district_admin_organization(user: User, site_code: str) -> Organization:
    """The organization, for its own district administrators only (the date page: vendor
    staff set dates on their own pages, with a reason)."""
    organization = managed_organization(user, site_code)
    if user.role != Role.DISTRICT_ADMIN:
        raise NotAllowed(f"Only district administrators of {organization.site_code} may do this.")
    return organization


def school_for(user: User, organization: Organization, school_id: int) -> School:
    try:
        return schools_for(user, organization).get(pk=school_id)
    except (School.DoesNotExist, ValueError, TypeError):
        raise NotVisible("No such school") from None


def export_scope_check(*, user: User, organization: Organization, school: School | None) -> None:
    """District administrators (and vendor staff) export the organization or a school;
    school administrators only a school of theirs; nobody else exports."""
    if can_manage_organization(user, organization):
        return
    if user.role == Role.SCHOOL_ADMIN and user.organization_id == organization.pk:
        if school is None:
            raise Forbidden("School administrators export their own school: choose it.")
        if schools_for(user, organization).filter(pk=school.pk).exists():
            return
        raise NotFound("No such school.", field="school")
    if user.organization_id == organization.pk:
        raise Forbidden("Only district or school administrators can export student data.")
    raise NotFound("No such organization.", field="org")


def export_jobs_for(user: User, organization: Organization) -> QuerySet[ExportJob]:
    """The organization's exports the user may follow: all of them for those who manage
    it, their own for everyone else."""
    jobs = ExportJob.tenant.of(organization)
    if not can_manage_organization(user, organization):
        jobs = jobs.filter(requested_by=user) if _active(user) else jobs.none()
    return jobs


def export_job_for(user: User, job_id: int) -> ExportJob:
    """The export, for whoever asked for it and those who manage its organization."""
    job = ExportJob.unscoped.select_related("organization").filter(pk=job_id).first()
    if job is None or not (
        (_active(user) and job.requested_by_id == user.pk)
        or can_manage_organization(user, job.organization)
    ):
        raise NotVisible(f"No export {job_id}.", field="job_id")
    return job


def archive_for(user: User, archive_id: int) -> YearEndArchive:
    """A year-end archive, for those who manage its organization."""
    archive = YearEndArchive.unscoped.select_related("organization").filter(pk=archive_id).first()
    if archive is None or not can_manage_organization(user, archive.organization):
        raise NotVisible(f"No archive {archive_id}.", field="archive_id")
    return archive


def run_for(user: User, run_id: int, *, organization: Organization | None = None) -> ResetRun:
    """A reset run, for those who manage its organization (``organization``: only a run
    of that one)."""
    runs = ResetRun.unscoped.select_related("organization", "cycle")
    if organization is not None:
        runs = runs.filter(organization=organization)
    run = runs.filter(pk=run_id).first()
    if run is None or not can_manage_organization(user, run.organization):
        of = f" of {organization.site_code}" if organization is not None else ""
        raise NotVisible(f"No reset run {run_id}{of}.", field="run_id")
    return run


def progress_students_for(
    user: User,
    organization: Organization,
    *,
    school_id: int | None = None,
    class_id: int | None = None,
    student_id: int | None = None,
) -> QuerySet[Student]:
    """The students whose progress reports the user asks for, within what they may see;
    ``NotVisible`` (or the selector's NotFound) for a school, class or student beyond it."""
    return progress_students(
        organization=organization,
        school=school_for(user, organization, school_id) if school_id else None,
        class_id=class_id,
        student_id=student_id,
        students=students_for(user, organization),
        classes=classes_for(user, organization),
        schools=schools_for(user, organization),
    )


def calendar_feed_path_for(user: User, organization: Organization) -> str:
    """The private feed URL, for those who may manage the organization's date only."""
    if not can_manage_organization(user, organization):
        raise NotAllowed(
            f"Only the district administrators of {organization.site_code} may see its "
            "calendar link.",
            field="user",
        )
    return calendar_feed_path(organization)
