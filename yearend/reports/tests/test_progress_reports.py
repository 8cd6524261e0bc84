import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from yearend.audit.models import AuditEvent
from yearend.classes.models import SchoolClass
from yearend.learning.models import PathwayPlacement
from yearend.organizations.grades import PREK_TO_2
from yearend.people.models import Student
from yearend.reports.models import ProgressReportPrint
from yearend.reports.progress import write_progress_reports
from yearend.reports.selectors import export_students

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _expected_pages(org, students):
    placements = {}
    for student_id in PathwayPlacement.tenant.of(org).values_list("student_id", flat=True):
        placements[student_id] = placements.get(student_id, 0) + 1
    return {s.pk: 1 if s.grade in PREK_TO_2 else max(1, placements.get(s.pk, 0)) for s in students}


def test_it_prints_one_page_per_prek2_student_and_one_per_pathway_for_3_plus(seeded_org, tmp_path):
    students = list(export_students(seeded_org).order_by("id"))
    expected = _expected_pages(seeded_org, students)
    assert any(n > 1 for n in expected.values()), "the demo has a 3+ student in two pathways"
    assert any(s.grade in PREK_TO_2 for s in students)

    path = tmp_path / "reports.pdf"
    pages = write_progress_reports(
        path, organization=seeded_org, students=export_students(seeded_org)
    )
    reader = PdfReader(path)
    assert pages == len(reader.pages) == sum(expected.values())

    texts = [page.extract_text() for page in reader.pages]
    index = 0
    for student in students:
        own = texts[index : index + expected[student.pk]]
        index += expected[student.pk]
        for text in own:
            assert f"{student.first_name} {student.last_name}" in text
            assert "over the year" in text
            if student.grade in PREK_TO_2:
                assert "Imagine Math PreK-2" in text and "Tokens collected" in text
            else:
                assert "Imagine Math 3+" in text and "THINK Points" in text
                assert "Quantile measure" in text
    # A 3+ student in several pathways: each page names a different pathway.
    several = next(s for s in students if expected[s.pk] > 1)
    names = set(
        PathwayPlacement.tenant.of(seeded_org)
        .filter(student=several)
        .values_list("pathway__name", flat=True)
    )
    start = sum(expected[s.pk] for s in students if s.pk < several.pk)
    printed = {
        line.removeprefix("Pathway: ").strip()
        for text in texts[start : start + expected[several.pk]]
        for line in text.splitlines()
        if line.startswith("Pathway: ")
    }
    assert printed == names


def test_the_command_prints_a_class(seeded_org, tmp_path):
    school_class = SchoolClass.tenant.of(seeded_org).order_by("id").first()
    students = list(Student.tenant.of(seeded_org).filter(enrollments__school_class=school_class))
    path = tmp_path / "class.pdf"
    call_command(
        "progress_reports",
        "--org",
        seeded_org.site_code,
        "--class",
        str(school_class.pk),
        "-o",
        str(path),
        verbosity=0,
    )
    pages = len(PdfReader(path).pages)
    assert pages == sum(_expected_pages(seeded_org, students).values())
    # Printed for the district: the checklist before the reset counts it.
    printed = ProgressReportPrint.tenant.of(seeded_org).get()
    assert (printed.via, printed.printed_by) == ("command", None)
    event = AuditEvent.objects.get(action="reports.progress_reports_written")
    assert event.details == {"class": school_class.pk, "students": len(students), "pages": pages}


def test_the_command_refuses_a_class_of_another_organization(seeded_org, other_org, tmp_path):
    school_class = SchoolClass.tenant.of(seeded_org).order_by("id").first()
    with pytest.raises(CommandError, match="No class"):
        call_command(
            "progress_reports",
            "--org",
            other_org.site_code,
            "--class",
            str(school_class.pk),
            "-o",
            str(tmp_path / "x.pdf"),
        )
    assert not (tmp_path / "x.pdf").exists()
    assert not ProgressReportPrint.tenant.of(other_org).exists()
