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
    url = f"/reports/{seeded_org.site_code}/progress.pdf"

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
