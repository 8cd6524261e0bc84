import csv

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum

from yearend.audit.models import AuditEvent
from yearend.learning.models import Assessment, LessonProgress, UsageSession
from yearend.organizations.models import School
from yearend.people.models import Student
from yearend.reports.export import HEADINGS, neutralise, write_export
from yearend.reports.models import ExportJob

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _students_sheet_rows(path):
    workbook = openpyxl.load_workbook(path, read_only=True)
    names = workbook.sheetnames
    rows = []
    for name in names[1:]:
        sheet_rows = list(workbook[name].iter_rows(values_only=True))
        assert list(sheet_rows[0]) == HEADINGS
        rows.extend(sheet_rows[1:])
    about = [r for r in workbook[names[0]].iter_rows(values_only=True)]
    workbook.close()
    return names, about, rows


def test_it_writes_every_current_student_with_their_data(seeded_org, tmp_path):
    path = tmp_path / "export.xlsx"
    written = write_export(path, organization=seeded_org)

    students = Student.tenant.of(seeded_org).filter(epoch=seeded_org.student_epoch)
    names, about, rows = _students_sheet_rows(path)
    assert names == ["About this export", "Students"]
    assert written == len(rows) == students.count() == 40
    assert [r[0] for r in rows] == sorted(students.values_list("id", flat=True))

    col = {h: i for i, h in enumerate(HEADINGS)}
    usage = {
        r["student_id"]: r
        for r in UsageSession.tenant.of(seeded_org)
        .values("student_id")
        .annotate(n=Count("id"), m=Sum("minutes"))
    }
    lessons = {
        r["student_id"]: r
        for r in LessonProgress.tenant.of(seeded_org)
        .values("student_id")
        .annotate(n=Count("id"), p=Count("id", filter=Q(status="passed")))
    }
    for row in rows:
        student = students.get(pk=row[0])
        assert row[col["Username"]] == student.username
        assert row[col["Last name"]] == student.last_name
        assert row[col["School"]] == student.school.name
        assert (row[col["Sessions"]] or 0) == usage.get(student.pk, {}).get("n", 0)
        assert (row[col["Minutes"]] or 0) == (usage.get(student.pk, {}).get("m") or 0)
        assert (row[col["Lessons attempted"]] or 0) == lessons.get(student.pk, {}).get("n", 0)
        assert (row[col["Lessons passed"]] or 0) == lessons.get(student.pk, {}).get("p", 0)
        eoy = Assessment.tenant.of(seeded_org).filter(student=student, window="EOY")
        latest = eoy.order_by("-taken_at").first()
        assert row[col["EOY scale score"]] == (latest.scale_score if latest else None)
        assert row[col["EOY Quantile"]] == (latest.quantile_measure if latest else None)

    # Every column is explained on the first sheet, with the organization named.
    text = " ".join(str(cell) for line in about for cell in line if cell)
    assert seeded_org.site_code in text
    assert "Data as of" in text
    for heading in HEADINGS:
        assert heading in text


def test_it_neutralises_formulas(seeded_org, tmp_path):
    student = Student.tenant.of(seeded_org).order_by("id").first()
    Student.tenant.of(seeded_org).filter(pk=student.pk).update(
        first_name='=HYPERLINK("http://x")', last_name="+1-2"
    )
    path = tmp_path / "export.xlsx"
    write_export(path, organization=seeded_org)
    _, _, rows = _students_sheet_rows(path)
    row = next(r for r in rows if r[0] == student.pk)
    assert row[HEADINGS.index("First name")] == '\'=HYPERLINK("http://x")'
    assert row[HEADINGS.index("Last name")] == "'+1-2"

    csv_path = tmp_path / "export.csv"
    write_export(csv_path, organization=seeded_org, fmt="csv")
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    line = next(r for r in lines[1:] if r[0] == str(student.pk))
    assert line[HEADINGS.index("First name")].startswith("'=")


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_it_neutralises_each_formula_prefix(value):
    assert neutralise(value) == "'" + value
    assert neutralise("Ann") == "Ann"
    assert neutralise(-3) == -3


def test_it_continues_on_further_sheets_past_the_row_limit(seeded_org, tmp_path, settings):
    settings.REPORTS_XLSX_MAX_ROWS = 16  # 15 students a sheet
    path = tmp_path / "export.xlsx"
    write_export(path, organization=seeded_org)
    names, _, rows = _students_sheet_rows(path)
    assert names == ["About this export", "Students", "Students 2", "Students 3"]
    assert len(rows) == 40
    assert len({r[0] for r in rows}) == 40


def test_csv_matches_xlsx(seeded_org, tmp_path):
    write_export(tmp_path / "e.xlsx", organization=seeded_org)
    write_export(tmp_path / "e.csv", organization=seeded_org, fmt="csv")
    _, _, rows = _students_sheet_rows(tmp_path / "e.xlsx")
    with open(tmp_path / "e.csv", encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == HEADINGS
    assert [int(r[0]) for r in lines[1:]] == [r[0] for r in rows]


def test_the_command_exports_one_school(seeded_org, tmp_path):
    school = School.tenant.of(seeded_org).order_by("name").first()
    path = tmp_path / "school.xlsx"
    call_command(
        "export_student_data",
        "--org",
        seeded_org.site_code,
        "--school",
        school.name,
        "-o",
        str(path),
        verbosity=0,
    )
    _, _, rows = _students_sheet_rows(path)
    expected = Student.tenant.of(seeded_org).filter(school=school).count()
    assert len(rows) == expected > 0
    assert {r[HEADINGS.index("School")] for r in rows} == {school.name}
    # Written for the district: delivered, as a download is, so the reminders stop.
    job = ExportJob.tenant.of(seeded_org).get()
    assert (job.status, job.school, job.rows_total) == (ExportJob.Status.DONE, school, expected)
    assert job.downloaded_at is not None and job.file_name == ""
    written = AuditEvent.objects.get(action="reports.export_written")
    assert written.details == {"export_job": job.pk, "school": school.pk, "rows": expected}
    delivered = AuditEvent.objects.get(action="reports.export_downloaded")
    assert (delivered.via, delivered.details) == ("command", {"export_job": job.pk})


def test_the_command_refuses_an_unknown_organization(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown organization"):
        call_command("export_student_data", "--org", "NOPE", "-o", str(tmp_path / "x.csv"))
    assert not (tmp_path / "x.csv").exists()
    assert not ExportJob.unscoped.exists()
