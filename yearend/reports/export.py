"""Writing the Student Data Export: columns, formula neutralising, XLSX and CSV writers.

Rows are produced chunk by chunk from ``selectors.export_row_chunks`` (on a second thread,
see ``read_ahead``) and written straight out: the XLSX by XlsxWriter in constant-memory
mode in a writer process (``workbook``), the CSV here, so memory stays flat however many
students there are.
"""

from __future__ import annotations

import csv
import queue
import threading
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from yearend.organizations.grades import Grade
from yearend.organizations.models import Organization, School
from yearend.reports.selectors import (
    R_AVERAGES,
    R_CLASSES,
    R_FIRST,
    R_GRADE,
    R_LAST,
    R_LAST_ACTIVE,
    R_PATHWAYS,
    R_PRODUCTS,
    R_SCHOOL,
    R_TEACHERS,
    R_USERNAME,
    export_row_chunks,
    export_students,
)
from yearend.reports.workbook import (
    NUMBER,
    STAMP,
    TEXT,
    Layout,
    write_workbook,
    write_workbook_in_process,
)

# Excel's limit per sheet, header row included; a test lowers it with the setting.
EXCEL_MAX_ROWS = 1_048_576
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Up to this many students an export is read and written in turn, here: starting the
# writer process (a fresh interpreter importing XlsxWriter, ~0.1 s of CPU) and the
# read-ahead thread's own database connection cost more than their overlap saves. A
# year-end archive of a 200-student district is such an export, once per reset.
IN_PROCESS_STUDENTS = 1_000

GRADE_LABELS = dict(Grade.choices)

# (heading, explanation) in sheet order; ``student_row`` follows the same order.
COLUMNS: list[tuple[str, str]] = [
    ("Student ID", "The student's account id in Imagine Math (unique in this export)."),
    ("Username", "The student's sign-in name."),
    ("First name", "As rostered."),
    ("Last name", "As rostered."),
    ("School", "The student's school."),
    ("Grade", "Grade level as rostered (Pre-K to Geometry)."),
    ("Classes", "Classes/groups the student is enrolled in, separated by '; '."),
    ("Teachers", "Teachers of those classes, separated by '; '."),
    ("Products", "Imagine Math products the student used or is enrolled in."),
    ("Pathways", "Imagine Math 3+ pathways the student is placed in, separated by '; '."),
    ("Sessions", "Number of sign-in sessions this school year, all products."),
    ("Minutes", "Total minutes of use this school year, all products."),
    ("Last active", "Start of the student's latest session, in the organization's time zone."),
    ("Lessons attempted", "Lessons started or completed, all pathways."),
    ("Lessons passed", "Lessons passed, all pathways."),
    (
        "Average score by pathway",
        "Average lesson score (percent) per pathway, as 'Pathway: score'; separated by '; '.",
    ),
    ("BOY scale score", "Beginning-of-year benchmark assessment: scale score."),
    ("BOY Quantile", "Beginning-of-year benchmark: Quantile measure (below 0 = emerging)."),
    ("MOY scale score", "Middle-of-year benchmark assessment: scale score."),
    ("MOY Quantile", "Middle-of-year benchmark: Quantile measure."),
    ("EOY scale score", "End-of-year benchmark assessment: scale score."),
    ("EOY Quantile", "End-of-year benchmark: Quantile measure."),
    ("Tokens", "Imagine Math PreK-2 tokens collected (empty: not a PreK-2 student)."),
    ("THINK Points", "Imagine Math 3+ THINK Points (empty: not a 3+ student)."),
    ("Facts: addition", "Imagine Math Facts: addition facts mastered."),
    ("Facts: subtraction", "Imagine Math Facts: subtraction facts mastered."),
    ("Facts: multiplication", "Imagine Math Facts: multiplication facts mastered."),
    ("Facts: division", "Imagine Math Facts: division facts mastered."),
]
HEADINGS = [c[0] for c in COLUMNS]
LAST_ACTIVE = HEADINGS.index("Last active")
# Columns that hold free text (and may need neutralising); every other one is a number,
# the last-active time, or empty.
TEXT_COLUMNS = (
    R_USERNAME,
    R_FIRST,
    R_LAST,
    R_SCHOOL,
    R_CLASSES,
    R_TEACHERS,
    R_PRODUCTS,
    R_PATHWAYS,
    R_AVERAGES,
)
COLUMN_KINDS = [
    TEXT if col in TEXT_COLUMNS or col == R_GRADE else STAMP if col == LAST_ACTIVE else NUMBER
    for col in range(len(COLUMNS))
]


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_rows(
    organization: Organization,
    *,
    school: School | None = None,
    epoch: int | None = None,
    chunk: int | None = None,
) -> Iterator[list[list]]:
    """Chunks of ready-to-write rows (the same values ``student_row`` gives)."""
    from yearend.reports.selectors import CHUNK, export_students

    tz = zoneinfo.ZoneInfo(organization.time_zone)
    students = export_students(organization, school=school, epoch=epoch)
    grade_label = GRADE_LABELS.get
    for rows in export_row_chunks(students, chunk=chunk or CHUNK):
        for row in rows:
            row[R_GRADE] = grade_label(row[R_GRADE], row[R_GRADE])
            if row[R_LAST_ACTIVE] is not None:
                row[R_LAST_ACTIVE] = row[R_LAST_ACTIVE].astimezone(tz).replace(tzinfo=None)
            for column in TEXT_COLUMNS:
                value = row[column]
                if value and value.startswith(FORMULA_PREFIXES):
                    row[column] = "'" + value
        yield rows


_DONE = object()


def read_ahead(chunks: Iterator[list[list]], *, depth: int = 2) -> Iterator[list[list]]:
    """Read the next chunks from the database on a second thread while this one writes.

    The database driver releases the GIL while a query runs, so reading overlaps the
    writing instead of adding to it; at most ``depth`` chunks wait in between, so memory
    stays flat. Inside a transaction (a test, the reset's snapshot) another connection
    would not see the same data, so the chunks are then read here, in turn.
    """
    if connection.in_atomic_block:
        yield from chunks
        return
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def reader() -> None:
        try:
            for rows in chunks:
                while not stop.is_set():
                    try:
                        waiting.put(rows, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            waiting.put(_DONE)
        except BaseException as error:  # handed to the writing thread, raised there
            waiting.put(error)
        finally:
            connections.close_all()  # this thread's own connections only

    thread = threading.Thread(target=reader, name="export-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a reader waiting on a full queue
            try:
                waiting.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.1)


def row_limit() -> int:
    return int(getattr(settings, "REPORTS_XLSX_MAX_ROWS", EXCEL_MAX_ROWS))


def _about(
    organization: Organization, school: School | None, as_of: datetime
) -> list[tuple[str, str]]:
    local = timezone.localtime(as_of, zoneinfo.ZoneInfo(organization.time_zone))
    return [
        ("Organization", f"{organization.name} (site code {organization.site_code})"),
        ("Scope", school.name if school else "All schools"),
        ("Data as of", f"{local:%Y-%m-%d %H:%M} {organization.time_zone}"),
        (
            "Note",
            "Year-to-date usage and results of every current student. Student data is "
            "deleted by the year-end reset; keep this file if you need it later.",
        ),
    ]


def write_xlsx(
    path: Path,
    chunks: Iterable[list[list]],
    *,
    organization: Organization,
    school: School | None = None,
    as_of: datetime | None = None,
    max_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
    stats: dict | None = None,
    in_process: bool = False,
) -> int:
    """Write the workbook (in a writer process, see ``workbook``, unless ``in_process``);
    returns the number of student rows."""
    as_of = as_of or timezone.now()
    per_sheet = (max_rows or row_limit()) - 1  # the header takes a row on each sheet
    if per_sheet < 1:
        raise ValueError("the row limit must leave room for a header and a row")
    layout = Layout(
        about=_about(organization, school, as_of),
        columns=COLUMNS,
        kinds=COLUMN_KINDS,
        per_sheet=per_sheet,
    )
    if in_process:
        return write_workbook(str(path), _reporting(chunks, progress), layout)
    return write_workbook_in_process(str(path), chunks, layout, progress=progress, stats=stats)


def _reporting(chunks: Iterable[list[list]], progress) -> Iterator[list[list]]:
    """The chunks, telling ``progress`` how many rows were handed on so far."""
    handed = 0
    for rows in chunks:
        yield rows
        handed += len(rows)
        if progress:
            progress(handed)


def write_csv(
    path: Path,
    chunks: Iterable[list[list]],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    written = 0
    # utf-8-sig: Excel opens the file with the right encoding.
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADINGS)
        for rows in chunks:
            for values in rows:
                if values[LAST_ACTIVE] is not None:
                    values = list(values)
                    values[LAST_ACTIVE] = values[LAST_ACTIVE].strftime("%Y-%m-%d %H:%M")
                writer.writerow(values)
            written += len(rows)
            if progress:
                progress(written)
    return written


def write_export(
    path: Path,
    *,
    organization: Organization,
    school: School | None = None,
    fmt: str = "xlsx",
    epoch: int | None = None,
    max_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
    stats: dict | None = None,
) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    # ``stats`` asks for the writer process's memory: such an export keeps the process.
    small = stats is None and (
        export_students(organization, school=school, epoch=epoch).count() <= IN_PROCESS_STUDENTS
    )
    chunks = export_rows(organization, school=school, epoch=epoch)
    if not small:
        chunks = read_ahead(chunks)
    if fmt == "csv":
        return write_csv(path, chunks, progress=progress)
    return write_xlsx(
        path,
        chunks,
        organization=organization,
        school=school,
        max_rows=max_rows,
        progress=progress,
        stats=stats,
        in_process=small,
    )
