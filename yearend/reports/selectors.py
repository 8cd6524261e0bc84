"""Reads behind the reports: students in keyset chunks, their data aggregated in SQL.

Every query here is set-based: for one chunk of students (a range of ids within the
organization) each table is read once, grouped by student in the database. The number
of queries grows with the number of chunks, never with the number of students.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.db.models import Avg, Count, Max, Q, QuerySet, Sum

from yearend.classes.models import Enrollment, SchoolClass
from yearend.errors import NotFound
from yearend.learning.models import (
    Assessment,
    FactFluency,
    LessonProgress,
    Pathway,
    PathwayPlacement,
    ThinkPointBalance,
    TokenBalance,
    UsageSession,
)
from yearend.organizations.models import Organization, Product, School
from yearend.people.models import Student

CHUNK = 2_000
WINDOWS = ("BOY", "MOY", "EOY")
OPERATIONS = ("add", "sub", "mul", "div")


@dataclass
class PathwayResult:
    pathway_id: int
    name: str
    lesson_count: int
    attempted: int = 0
    passed: int = 0
    average_score: float | None = None
    # (completed_at, ...) of passed lessons, for the progress chart.
    passed_at: list[datetime] = field(default_factory=list)


@dataclass
class StudentData:
    id: int
    username: str
    first_name: str
    last_name: str
    grade: str
    school: str
    classes: list[str] = field(default_factory=list)
    teachers: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    pathways: dict[int, PathwayResult] = field(default_factory=dict)
    sessions: int = 0
    minutes: int = 0
    last_active: datetime | None = None
    lessons_attempted: int = 0
    lessons_passed: int = 0
    # window -> (scale score, Quantile measure)
    assessments: dict[str, tuple[int, int]] = field(default_factory=dict)
    tokens: int | None = None
    think_points: int | None = None
    fluency: dict[str, int] = field(default_factory=dict)


def export_students(
    organization: Organization,
    *,
    school: School | None = None,
    epoch: int | None = None,
) -> QuerySet[Student]:
    """The students an export covers: one roster epoch (the current one by default)."""
    epoch = organization.student_epoch if epoch is None else epoch
    students = Student.tenant.of(organization).filter(epoch=epoch)
    if school is not None:
        students = students.filter(school=school)
    return students


def student_chunks(
    students: QuerySet[Student], *, chunk: int = CHUNK, with_lesson_dates: bool = False
) -> Iterator[list[StudentData]]:
    """Yield students in id order, ``chunk`` at a time, each with all their data."""
    base = students.order_by("id").values_list(
        "id", "organization_id", "username", "first_name", "last_name", "grade", "school__name"
    )
    # One streamed query, as export_row_chunks reads it: paging by "id > last" walked the
    # organization's index over every remaining student for each chunk.
    stream = base.iterator(chunk_size=chunk)
    while rows := list(islice(stream, chunk)):
        org_id = rows[0][1]
        by_id = {
            r[0]: StudentData(
                id=r[0],
                username=r[2],
                first_name=r[3],
                last_name=r[4],
                grade=r[5],
                school=r[6],
            )
            for r in rows
        }
        _fill(org_id, [r[0] for r in rows], by_id, with_lesson_dates)
        yield list(by_id.values())


def _student_filter(ids: list[int]) -> dict:
    """Read a chunk's rows through the (organization, student) indexes: by id range when
    the chunk's ids are dense (rows of students outside the selection are skipped in
    Python), by id list when they are sparse (one school of a large district), so no
    query ever reads much more than its chunk."""
    low, high = ids[0], ids[-1]
    if high - low + 1 <= 2 * len(ids):
        return {"student_id__gte": low, "student_id__lte": high}
    return {"student_id__in": ids}


def _teacher_names(scoped):
    """(student id, teacher first name, last name) of the chunk, from its enrollments:
    starting from the chunk's enrollments keeps the query proportional to the chunk."""
    return (
        scoped(Enrollment)
        .filter(school_class__teacher_assignments__isnull=False)
        .order_by(
            "student_id",
            "school_class__teacher_assignments__teacher__last_name",
            "school_class__teacher_assignments__teacher__first_name",
        )
        .values_list(
            "student_id",
            "school_class__teacher_assignments__teacher__first_name",
            "school_class__teacher_assignments__teacher__last_name",
        )
    )


def _fill(org_id: int, ids: list[int], by_id: dict[int, StudentData], dates: bool) -> None:
    where = _student_filter(ids)

    def scoped(model):
        return model.tenant.of(org_id).filter(**where)

    products = dict(Product.objects.values_list("pk", "name"))
    pathways = {
        pk: (name, lessons)
        for pk, name, lessons in Pathway.objects.values_list("pk", "name", "lesson_count")
    }

    def each(rows):
        for row in rows:
            student = by_id.get(row[0])
            if student is not None:
                yield student, row

    for student, row in each(
        scoped(Enrollment)
        .order_by("student_id", "school_class__name")
        .values_list("student_id", "school_class__name", "school_class__product__name")
    ):
        student.classes.append(row[1])
        if row[2] and row[2] not in student.products:
            student.products.append(row[2])

    teacher_rows = _teacher_names(scoped)
    for student, row in each(teacher_rows):
        name = f"{row[1]} {row[2]}".strip()
        if name not in student.teachers:
            student.teachers.append(name)

    for student, row in each(
        # Grouped by the product id (no join); the catalogue is a handful of rows.
        scoped(UsageSession)
        .values("student_id", "product_id")
        .annotate(sessions=Count("id"), minutes=Sum("minutes"), last=Max("started_at"))
        .order_by("student_id", "product_id")
        .values_list("student_id", "product_id", "sessions", "minutes", "last")
    ):
        row = (row[0], products.get(row[1], ""), *row[2:])
        student.sessions += row[2]
        student.minutes += row[3] or 0
        if row[4] and (student.last_active is None or row[4] > student.last_active):
            student.last_active = row[4]
        if row[1] not in student.products:
            student.products.append(row[1])

    for student, row in each(
        scoped(PathwayPlacement)
        .order_by("student_id", "pathway_id")
        .values_list("student_id", "pathway_id")
    ):
        name, lessons = pathways.get(row[1], ("", 0))
        student.pathways[row[1]] = PathwayResult(pathway_id=row[1], name=name, lesson_count=lessons)

    for student, row in each(
        scoped(LessonProgress)
        .values("student_id", "pathway_id")
        .annotate(
            attempted=Count("id"),
            passed=Count("id", filter=Q(status=LessonProgress.Status.PASSED)),
            average=Avg("score"),
        )
        .order_by("student_id", "pathway_id")
        .values_list("student_id", "pathway_id", "attempted", "passed", "average")
    ):
        if row[1] not in student.pathways:
            name, lessons = pathways.get(row[1], ("", 0))
            student.pathways[row[1]] = PathwayResult(
                pathway_id=row[1], name=name, lesson_count=lessons
            )
        result = student.pathways[row[1]]
        row = (*row[:2], None, None, *row[2:])
        result.attempted, result.passed = row[4], row[5]
        result.average_score = None if row[6] is None else round(float(row[6]), 1)
        student.lessons_attempted += row[4]
        student.lessons_passed += row[5]

    if dates:
        for student, row in each(
            scoped(LessonProgress)
            .filter(status=LessonProgress.Status.PASSED, completed_at__isnull=False)
            .order_by("student_id", "completed_at")
            .values_list("student_id", "pathway_id", "completed_at")
        ):
            result = student.pathways.get(row[1])
            if result is not None:
                result.passed_at.append(row[2])

    # Latest assessment of each window wins (rows come oldest first).
    for student, row in each(
        scoped(Assessment)
        .order_by("student_id", "taken_at")
        .values_list("student_id", "window", "scale_score", "quantile_measure")
    ):
        student.assessments[row[1]] = (row[2], row[3])

    for student, row in each(scoped(TokenBalance).values_list("student_id", "tokens")):
        student.tokens = row[1]
    for student, row in each(scoped(ThinkPointBalance).values_list("student_id", "points")):
        student.think_points = row[1]
    for student, row in each(
        scoped(FactFluency).values_list("student_id", "operation", "facts_mastered")
    ):
        student.fluency[row[1]] = row[2]


def progress_students(
    *,
    organization: Organization,
    school: School | None = None,
    class_id: int | None = None,
    student_id: int | None = None,
    students: QuerySet[Student] | None = None,
    classes: QuerySet[SchoolClass] | None = None,
    schools: QuerySet[School] | None = None,
) -> QuerySet[Student]:
    """The students whose progress reports are asked for. ``students``, ``classes`` and
    ``schools`` are what the asker may see (``scoping.progress_students_for`` passes a
    person's); left out, a trusted caller such as a command sees the organization's
    current ones. Raises NotFound for a school, class or student outside them."""
    if students is None:
        students = export_students(organization)
    if classes is None:
        classes = SchoolClass.tenant.of(organization).filter(epoch=organization.student_epoch)
    if schools is None:
        schools = School.tenant.of(organization)
    if school is not None:
        if not schools.filter(pk=school.pk).exists():
            raise NotFound("No such school.", field="school")
        students = students.filter(school=school)
    if class_id is not None:
        if not classes.filter(pk=class_id).exists():
            raise NotFound(f"No class {class_id}.", field="class")
        students = students.filter(enrollments__school_class_id=class_id)
    if student_id is not None:
        students = students.filter(pk=student_id)
        if not students.exists():
            raise NotFound(f"No student {student_id}.", field="student")
    return students


# Positions in an export row (see reports.export.COLUMNS), filled by ``export_row_chunks``.
(
    R_ID,
    R_USERNAME,
    R_FIRST,
    R_LAST,
    R_SCHOOL,
    R_GRADE,
    R_CLASSES,
    R_TEACHERS,
    R_PRODUCTS,
    R_PATHWAYS,
    R_SESSIONS,
    R_MINUTES,
    R_LAST_ACTIVE,
    R_ATTEMPTED,
    R_PASSED,
    R_AVERAGES,
) = range(16)
R_ASSESSMENTS = 16  # BOY scale, BOY Quantile, MOY ..., EOY ...
R_TOKENS, R_THINK_POINTS = 22, 23
R_FACTS = 24  # one column per OPERATIONS
ROW_WIDTH = 28
_WINDOW_COLUMN = {w: R_ASSESSMENTS + 2 * n for n, w in enumerate(WINDOWS)}
_FACT_COLUMN = {op: R_FACTS + n for n, op in enumerate(OPERATIONS)}


def export_row_chunks(students: QuerySet[Student], *, chunk: int = CHUNK) -> Iterator[list[list]]:
    """The export's rows, ``chunk`` students at a time in id order, built straight from
    the grouped query results (no per-student objects: the export's reading must stay
    cheap next to writing the spreadsheet).

    Text columns that list several things (classes, teachers, ...) are joined with '; ';
    ``last_active`` is an aware datetime; nothing is neutralised yet.
    """
    base = students.order_by("id").values_list(
        "id", "organization_id", "username", "first_name", "last_name", "grade", "school__name"
    )
    products = dict(Product.objects.order_by("pk").values_list("pk", "name"))
    pathway_names = dict(Pathway.objects.values_list("pk", "name"))
    # One query streams the selection in id order (a server-side cursor on PostgreSQL,
    # SQLite steps through it), and each chunk's data is read as the stream reaches it.
    # Paging with "id > last ORDER BY id LIMIT n" instead made both databases walk the
    # (organization, epoch, username) index over every remaining student, chunk after
    # chunk: quadratic, 7 s of SQLite's CPU at 100,000 students.
    stream = base.iterator(chunk_size=chunk)
    while found := list(islice(stream, chunk)):
        org_id = found[0][1]
        rows: dict[int, list] = {}
        for pk, _org, username, first, last, grade, school in found:
            row = [None] * ROW_WIDTH
            row[R_ID], row[R_USERNAME], row[R_FIRST], row[R_LAST] = pk, username, first, last
            row[R_SCHOOL], row[R_GRADE] = school, grade
            row[R_SESSIONS] = row[R_MINUTES] = row[R_ATTEMPTED] = row[R_PASSED] = 0
            rows[pk] = row
        _fill_rows(org_id, list(rows), rows, products, pathway_names)
        yield list(rows.values())


def _fill_rows(org_id, ids: list[int], rows: dict[int, list], products, pathway_names) -> None:
    where = _student_filter(ids)

    def scoped(model):
        return model.tenant.of(org_id).filter(**where)

    get = rows.get
    classes: dict[int, list[str]] = {}
    product_lists: dict[int, list[str]] = {}
    for student_id, name, product in (
        scoped(Enrollment)
        .order_by("student_id", "school_class__name")
        .values_list("student_id", "school_class__name", "school_class__product__name")
    ):
        if student_id in rows:
            classes.setdefault(student_id, []).append(name)
            if product:
                listed = product_lists.setdefault(student_id, [])
                if product not in listed:
                    listed.append(product)

    teachers: dict[int, list[str]] = {}
    for student_id, first, last in _teacher_names(scoped):
        if student_id in rows:
            name = f"{first} {last}".strip()
            listed = teachers.setdefault(student_id, [])
            if name not in listed:
                listed.append(name)

    # Grouped by student alone, with one "used it" count per product of the (small)
    # catalogue: the (organization, student) index then delivers the groups in order, where
    # grouping by (student, product) made the database sort every session row of the chunk.
    used = {f"used_{pk}": Count("id", filter=Q(product_id=pk)) for pk in products}
    for student_id, sessions, minutes, latest, *counts in (
        scoped(UsageSession)
        .values("student_id")
        .annotate(sessions=Count("id"), minutes=Sum("minutes"), last=Max("started_at"), **used)
        .order_by()
        .values_list("student_id", "sessions", "minutes", "last", *used)
    ):
        row = get(student_id)
        if row is None:
            continue
        row[R_SESSIONS] = sessions
        row[R_MINUTES] = minutes or 0
        row[R_LAST_ACTIVE] = latest
        listed = product_lists.setdefault(student_id, [])
        for name, count in zip(products.values(), counts, strict=True):
            if count and name not in listed:
                listed.append(name)

    # pathway id -> average score (None: placed, no lessons yet), in pathway id order.
    pathways: dict[int, dict[int, float | None]] = {}
    for student_id, pathway_id in (
        scoped(PathwayPlacement)
        .order_by("student_id", "pathway_id")
        .values_list("student_id", "pathway_id")
    ):
        if student_id in rows:
            pathways.setdefault(student_id, {})[pathway_id] = None
    # Unordered: PostgreSQL then aggregates in a hash table instead of sorting (and
    # spilling to disk) every lesson row of the chunk. Pathways a student has lessons in
    # but no placement are added after the placed ones, in id order, below.
    unplaced: dict[int, dict[int, float | None]] = {}
    for student_id, pathway_id, attempted, passed, average in (
        scoped(LessonProgress)
        .values("student_id", "pathway_id")
        .annotate(
            attempted=Count("id"),
            passed=Count("id", filter=Q(status=LessonProgress.Status.PASSED)),
            average=Avg("score"),
        )
        .order_by()
        .values_list("student_id", "pathway_id", "attempted", "passed", "average")
    ):
        row = get(student_id)
        if row is None:
            continue
        row[R_ATTEMPTED] += attempted
        row[R_PASSED] += passed
        score = None if average is None else round(float(average), 1)
        placed = pathways.get(student_id)
        if placed is not None and pathway_id in placed:
            placed[pathway_id] = score
        else:
            unplaced.setdefault(student_id, {})[pathway_id] = score
    for student_id, scores in unplaced.items():
        placed = pathways.setdefault(student_id, {})
        for pathway_id in sorted(scores):
            placed[pathway_id] = scores[pathway_id]

    # Latest assessment of each window wins (rows come oldest first).
    for student_id, window, scale, quantile in (
        scoped(Assessment)
        .order_by("student_id", "taken_at")
        .values_list("student_id", "window", "scale_score", "quantile_measure")
    ):
        row = get(student_id)
        if row is not None and window in _WINDOW_COLUMN:
            column = _WINDOW_COLUMN[window]
            row[column], row[column + 1] = scale, quantile

    for student_id, tokens in scoped(TokenBalance).values_list("student_id", "tokens"):
        row = get(student_id)
        if row is not None:
            row[R_TOKENS] = tokens
    for student_id, points in scoped(ThinkPointBalance).values_list("student_id", "points"):
        row = get(student_id)
        if row is not None:
            row[R_THINK_POINTS] = points
    for student_id, operation, mastered in scoped(FactFluency).values_list(
        "student_id", "operation", "facts_mastered"
    ):
        row = get(student_id)
        if row is not None and operation in _FACT_COLUMN:
            row[_FACT_COLUMN[operation]] = mastered

    for student_id, row in rows.items():
        row[R_CLASSES] = "; ".join(classes.get(student_id, ()))
        row[R_TEACHERS] = "; ".join(teachers.get(student_id, ()))
        row[R_PRODUCTS] = "; ".join(product_lists.get(student_id, ()))
        placed = pathways.get(student_id)
        if placed:
            row[R_PATHWAYS] = "; ".join(pathway_names.get(p, "") for p in placed)
            row[R_AVERAGES] = "; ".join(
                f"{pathway_names.get(p, '')}: {score:g}"
                for p, score in placed.items()
                if score is not None
            )
        else:
            row[R_PATHWAYS] = row[R_AVERAGES] = ""
