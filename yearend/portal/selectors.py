from dataclasses import dataclass

from django.db.models import Count, Q

from yearend import scoping
from yearend.organizations.models import Organization, School


@dataclass(frozen=True)
class SchoolRow:
    school: School
    students: int
    classes: int


@dataclass(frozen=True)
class OrganizationSummary:
    schools: list[SchoolRow]
    students: int
    classes: int
    educators: int


def organization_summary(user, organization: Organization) -> OrganizationSummary:
    """What the user may see of one organization: its schools with current counts."""
    epoch = organization.student_epoch
    schools = scoping.schools_for(user, organization).annotate(
        student_count=Count("students", filter=Q(students__epoch=epoch), distinct=True),
        class_count=Count("classes", filter=Q(classes__epoch=epoch), distinct=True),
    )
    rows = [SchoolRow(s, s.student_count, s.class_count) for s in schools]
    educators = organization.educators.filter(is_active=True)
    return OrganizationSummary(
        schools=rows,
        students=sum(r.students for r in rows),
        classes=sum(r.classes for r in rows),
        educators=educators.count(),
    )
