"""Student Progress reports as one PDF: one page per PreK-2 student, one page per pathway
for an Imagine Math 3+ student (a 3+ student in no pathway still gets a page).

Drawn straight onto a reportlab canvas (no flowables), which keeps a school's worth of
pages quick; data comes from the same chunked, set-based reads as the export.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from django.db.models import QuerySet
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from yearend.organizations.grades import PREK_TO_2, Grade
from yearend.organizations.models import Organization
from yearend.people.models import Student
from yearend.reports.selectors import WINDOWS, PathwayResult, StudentData, student_chunks

GRADE_LABELS = dict(Grade.choices)
MONTHS = ["Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun"]
WIDTH, HEIGHT = LETTER
MARGIN = 54
TEAL = colors.HexColor("#0f766e")
GREY = colors.HexColor("#6b7280")


def quantile_label(measure: int | None) -> str:
    if measure is None:
        return "-"
    return f"{measure}Q" if measure >= 0 else f"EM{-measure}Q"


def pages_for(student: StudentData) -> list[PathwayResult | None]:
    """What each of the student's pages covers: None for the PreK-2 page."""
    if student.grade in PREK_TO_2:
        return [None]
    return list(student.pathways.values()) or [
        PathwayResult(pathway_id=0, name="No pathway", lesson_count=0)
    ]


def school_year_months(dates: list[datetime], as_of: date) -> tuple[int, list[str]]:
    """The August-June year the data falls in (the latest lesson, else ``as_of``)."""
    latest = max(dates).date() if dates else as_of
    start_year = latest.year if latest.month >= 8 else latest.year - 1
    return start_year, MONTHS


def monthly_cumulative(dates: list[datetime], start_year: int, tz) -> list[int]:
    counts = [0] * len(MONTHS)
    for stamp in dates:
        local = timezone.localtime(stamp, tz)
        index = (local.year - start_year) * 12 + local.month - 8
        if 0 <= index < len(MONTHS):
            counts[index] += 1
        elif index >= len(MONTHS):
            counts[-1] += 1
    total = 0
    cumulative = []
    for n in counts:
        total += n
        cumulative.append(total)
    return cumulative


class ProgressReportWriter:
    def __init__(self, target: BinaryIO | Path | str, organization: Organization):
        self.organization = organization
        self.tz = zoneinfo.ZoneInfo(organization.time_zone)
        self.today = timezone.localdate(timezone.now(), self.tz)
        self.canvas = canvas.Canvas(
            target if not isinstance(target, Path) else str(target), pagesize=LETTER
        )
        self.canvas.setTitle(f"Student Progress reports - {organization.name}")
        self.canvas.setAuthor("Year-End Reset")
        self.pages = 0

    def close(self) -> None:
        if self.pages == 0:
            self.canvas.setFont("Helvetica", 12)
            self.canvas.drawString(MARGIN, HEIGHT - MARGIN, "No students match this selection.")
            self.canvas.showPage()
        self.canvas.save()

    def student(self, student: StudentData) -> None:
        for pathway in pages_for(student):
            if pathway is None:
                self._prek2_page(student)
            else:
                self._three_plus_page(student, pathway)
            self.canvas.showPage()
            self.pages += 1

    # -- layouts ------------------------------------------------------------------

    def _header(self, student: StudentData, product: str, subtitle: str = "") -> float:
        c = self.canvas
        c.setFillColor(TEAL)
        c.rect(0, HEIGHT - 70, WIDTH, 70, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont("Helvetica-Bold", 18)
        c.drawString(MARGIN, HEIGHT - 40, f"Student Progress Report - {product}")
        c.setFont("Helvetica", 10)
        c.drawString(MARGIN, HEIGHT - 58, f"{self.organization.name}  |  {student.school}")
        c.setFillColor(colors.black)
        y = HEIGHT - 100
        c.setFont("Helvetica-Bold", 15)
        c.drawString(MARGIN, y, f"{student.first_name} {student.last_name}")
        c.setFont("Helvetica", 10)
        y -= 16
        grade = GRADE_LABELS.get(student.grade, student.grade)
        c.drawString(MARGIN, y, f"Username: {student.username}    Grade: {grade}")
        y -= 14
        c.drawString(MARGIN, y, _clip(f"Classes: {'; '.join(student.classes) or '-'}"))
        y -= 14
        c.drawString(MARGIN, y, _clip(f"Teachers: {'; '.join(student.teachers) or '-'}"))
        if subtitle:
            y -= 24
            c.setFont("Helvetica-Bold", 13)
            c.setFillColor(TEAL)
            c.drawString(MARGIN, y, subtitle)
            c.setFillColor(colors.black)
        return y - 12

    def _facts(self, y: float, facts: list[tuple[str, str]]) -> float:
        c = self.canvas
        for label, value in facts:
            y -= 16
            c.setFont("Helvetica", 10)
            c.drawString(MARGIN, y, label)
            c.setFont("Helvetica-Bold", 10)
            c.drawString(MARGIN + 170, y, value)
        return y

    def _usage(self, student: StudentData) -> list[tuple[str, str]]:
        last = "-"
        if student.last_active:
            last = f"{timezone.localtime(student.last_active, self.tz):%B %d, %Y}"
        return [
            ("Sessions this year", f"{student.sessions}"),
            ("Minutes this year", f"{student.minutes}"),
            ("Last active", last),
        ]

    def _prek2_page(self, student: StudentData) -> None:
        y = self._header(student, "Imagine Math PreK-2")
        passed = student.lessons_passed
        scores = [p.average_score for p in student.pathways.values() if p.average_score]
        average = f"{sum(scores) / len(scores):.0f}%" if scores else "-"
        y = self._facts(
            y,
            [
                ("Tokens collected", f"{student.tokens or 0}"),
                ("Lessons passed", f"{passed}"),
                ("Lessons attempted", f"{student.lessons_attempted}"),
                ("Average lesson score", average),
                *self._usage(student),
            ],
        )
        dates = sorted(d for p in student.pathways.values() for d in p.passed_at)
        self._chart(y - 40, dates, "Lessons passed over the year")

    def _three_plus_page(self, student: StudentData, pathway: PathwayResult) -> None:
        y = self._header(student, "Imagine Math 3+", f"Pathway: {pathway.name}")
        of = f" of {pathway.lesson_count}" if pathway.lesson_count else ""
        average = "-" if pathway.average_score is None else f"{pathway.average_score:.0f}%"
        y = self._facts(
            y,
            [
                ("Lessons passed", f"{pathway.passed}{of}"),
                ("Lessons attempted", f"{pathway.attempted}"),
                ("Average lesson score", average),
                ("THINK Points", f"{student.think_points or 0}"),
                *self._usage(student),
            ],
        )
        c = self.canvas
        y -= 30
        c.setFont("Helvetica-Bold", 11)
        c.drawString(MARGIN, y, "Benchmark assessments")
        y -= 16
        c.setFont("Helvetica", 10)
        for x, text in (
            (MARGIN, "Window"),
            (MARGIN + 170, "Scale score"),
            (MARGIN + 270, "Quantile measure"),
        ):
            c.drawString(x, y, text)
        for window in WINDOWS:
            y -= 14
            scale, quantile = student.assessments.get(window, (None, None))
            c.drawString(MARGIN, y, window)
            c.drawString(MARGIN + 170, y, "-" if scale is None else str(scale))
            c.drawString(MARGIN + 270, y, quantile_label(quantile))
        self._chart(
            y - 40, sorted(pathway.passed_at), "Lessons passed in this pathway over the year"
        )

    def _chart(self, top: float, dates: list[datetime], title: str) -> None:
        """Cumulative lessons passed, month by month, August to June."""
        c = self.canvas
        start_year, months = school_year_months(dates, self.today)
        values = monthly_cumulative(dates, start_year, self.tz)
        height, left, width = 170, MARGIN + 30, WIDTH - 2 * MARGIN - 30
        bottom = top - height - 20
        c.setFont("Helvetica-Bold", 11)
        c.drawString(MARGIN, top, f"{title} ({start_year}-{start_year + 1})")
        peak = max([*values, 1])
        c.setStrokeColor(GREY)
        c.line(left, bottom, left + width, bottom)
        c.line(left, bottom, left, bottom + height)
        c.setFont("Helvetica", 8)
        c.setFillColor(GREY)
        c.drawRightString(left - 4, bottom + height - 3, str(peak))
        c.drawRightString(left - 4, bottom - 3, "0")
        step = width / len(months)
        for i, (month, value) in enumerate(zip(months, values, strict=True)):
            bar = height * value / peak
            x = left + i * step + step * 0.15
            c.setFillColor(TEAL)
            if bar:
                c.rect(x, bottom, step * 0.7, bar, stroke=0, fill=1)
            c.setFillColor(GREY)
            c.drawCentredString(x + step * 0.35, bottom - 11, month)
        c.setFillColor(colors.black)
        if not dates:
            c.drawString(left + 10, bottom + height / 2, "No lessons passed yet.")


def _clip(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def write_progress_reports(
    target: BinaryIO | Path | str,
    *,
    organization: Organization,
    students: QuerySet[Student],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write every selected student's pages into one PDF; returns the page count."""
    writer = ProgressReportWriter(target, organization)
    done = 0
    for chunk in student_chunks(students, chunk=500, with_lesson_dates=True):
        for student in chunk:
            writer.student(student)
        done += len(chunk)
        if progress:
            progress(done)
    writer.close()
    return writer.pages
