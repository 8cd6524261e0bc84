"""Student Data Export and Student Progress reports: rows/s, pages/s and peak memory.

The baseline is XlsxWriter (constant-memory) writing the same prepared rows with no
database, timed in the same run: the export's goal is at most 1.5x its time. Peak memory
is Python's allocation peak (tracemalloc) in separate runs, for a small and the full
selection: flat means the two are close.
"""

import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

import xlsxwriter

from bench.harness import Stopwatch, emit
from yearend.demo.seeding import seed_demo
from yearend.organizations.models import School
from yearend.people.models import Student
from yearend.reports.export import HEADINGS, export_rows, write_export
from yearend.reports.progress import write_progress_reports
from yearend.reports.selectors import export_students

SIZES = {"small": (5_000, 300), "full": (100_000, 2_000)}


def _peak_mb(function) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _baseline_xlsx(path: Path, rows: list[list]) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Students")
    sheet.write_row(0, 0, HEADINGS)
    for n, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(n, col, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(n, col, value)
            else:
                sheet.write_datetime(n, col, value)
    workbook.close()


def run(scale: str) -> None:
    students, sample = SIZES[scale]
    org = seed_demo(
        organizations=1, students_per_org=students, seed=1, as_of=date(2024, 6, 20)
    ).organizations[0]
    count = export_students(org).count()

    with tempfile.TemporaryDirectory(prefix="yer-report-bench-") as folder:
        folder = Path(folder)
        rows = [row for chunk in export_rows(org) for row in chunk]
        cpu = time.process_time()
        with Stopwatch() as baseline:
            _baseline_xlsx(folder / "baseline.xlsx", rows)
        baseline_cpu = time.process_time() - cpu
        del rows

        cpu = time.process_time()
        with Stopwatch() as xlsx:
            write_export(folder / "e.xlsx", organization=org, fmt="xlsx")
        xlsx_cpu = time.process_time() - cpu
        with Stopwatch() as csv_run:
            write_export(folder / "e.csv", organization=org, fmt="csv")

        emit(
            f"export {count:,} students to XLSX",
            count / xlsx.seconds,
            "rows/s",
            baseline=count / baseline.seconds,
            goal="time <= 1.5x XlsxWriter alone (rate >= 0.67x baseline)",
        )
        emit(
            f"export {count:,} students to XLSX, CPU time",
            xlsx_cpu,
            "s",
            baseline=baseline_cpu,
            goal="<= 1.5x",
            note="process CPU (both threads; SQLite's engine included, PostgreSQL's not): "
            "the figure that holds on a busy machine",
        )
        emit(f"export {count:,} students to CSV", count / csv_run.seconds, "rows/s")

        school = School.tenant.of(org).order_by("id").first()
        small_count = Student.tenant.of(org).filter(school=school).count()
        small_peak = _peak_mb(
            lambda: write_export(folder / "s.xlsx", organization=org, school=school)
        )
        full_peak = _peak_mb(lambda: write_export(folder / "f.xlsx", organization=org))
        emit(
            f"export peak memory, {count:,} students",
            full_peak,
            "MB",
            baseline=small_peak,
            goal="< 200 MB, flat",
            note=f"baseline: one school, {small_count:,} students (tracemalloc)",
        )

        subset = export_students(org).filter(
            id__in=list(export_students(org).order_by("id").values_list("id", flat=True)[:sample])
        )
        with Stopwatch() as pdf:
            pages = write_progress_reports(folder / "p.pdf", organization=org, students=subset)
        emit(
            f"progress reports, {sample:,} students ({pages:,} pages)",
            pages / pdf.seconds,
            "pages/s",
            goal=">= 50 pages/s",
        )
