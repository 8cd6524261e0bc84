import io

import pytest
from pypdf import PdfReader

from yearend.classes.models import SchoolClass
from yearend.people.models import Role, User

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _pdf(response):
    return PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def test_a_teacher_prints_their_class_but_not_another(client, seeded_org, outsider):
    teacher = User.objects.filter(organization=seeded_org, role=Role.TEACHER).first()
    own = SchoolClass.tenant.of(seeded_org).filter(teacher_assignments__teacher=teacher).first()
    other = SchoolClass.tenant.of(seeded_org).exclude(teacher_assignments__teacher=teacher).first()
    url = f"/org/{seeded_org.site_code}/data/progress.pdf"

    client.force_login(teacher)
    response = client.get(url, {"class": own.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    names = [
        f"{s.first_name} {s.last_name}"
        for s in own.enrollments.all().select_related("student").all()
        for s in [s.student]
    ]
    text = " ".join(p.extract_text() for p in _pdf(response).pages)
    assert all(name in text for name in names)
    assert client.get(url, {"class": other.pk}).status_code == 404

    client.force_login(outsider)
    assert client.get(url, {"class": own.pk}).status_code == 404


def test_a_district_admin_prints_a_school_and_is_told_when_the_selection_is_too_large(
    client, seeded_org, settings
):
    from yearend.organizations.models import School
    from yearend.people.models import Student

    admin = User.objects.get(organization=seeded_org, role=Role.DISTRICT_ADMIN)
    school = School.tenant.of(seeded_org).order_by("id").first()
    client.force_login(admin)
    url = f"/org/{seeded_org.site_code}/data/progress.pdf"
    response = client.get(url, {"school": school.pk})
    assert response.status_code == 200
    text = " ".join(p.extract_text() for p in _pdf(response).pages)
    for student in Student.tenant.of(seeded_org).filter(school=school):
        assert f"{student.first_name} {student.last_name}" in text

    settings.REPORTS_PROGRESS_MAX_STUDENTS = 10
    response = client.get(url)
    assert response.status_code == 400
    assert "choose a school or a class" in response.json()["message"]
