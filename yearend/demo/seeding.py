"""Realistic, deterministic demo data, written set-based.

The same ``seed`` and ``as_of`` give the same rows. Organizations, schools and
educators go through the onboarding services (so demo data obeys the same rules as
real data); the bulk of it — students, classes and about 190 product-data rows per
student — is generated as tuples and written with ``bulk_insert`` (COPY on
PostgreSQL, executemany on SQLite) in large transactions, a chunk of students at a time.
A chunk spans as many organizations as it takes: 1,000 districts of 200 students are
100 transactions with one COPY per table each, not 1,000 of each.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from yearend.audit.models import Via
from yearend.bulk import bulk_insert, next_ids
from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.learning.models import (
    Assessment,
    Avatar,
    FactFluency,
    LessonProgress,
    Pathway,
    PathwayPlacement,
    ThinkPointBalance,
    TokenBalance,
    UsageSession,
)
from yearend.organizations.grades import PREK_TO_2
from yearend.organizations.models import Organization, Product, School
from yearend.organizations.services import organization_create
from yearend.people.models import STUDENT_INSERT_COLUMNS, Role, SchoolMembership, Student, User
from yearend.people.services import user_create

DEMO_PASSWORD = "reset-demo-2024"  # noqa: S105 - printed for demo logins on purpose
STUDENTS_PER_CHUNK = 2_000
CLASS_SIZE = 25

FIRST_NAMES = [
    "Aiden",
    "Amara",
    "Ana",
    "Aria",
    "Ben",
    "Camila",
    "Carlos",
    "Chloe",
    "Daniel",
    "Deja",
    "Diego",
    "Eli",
    "Emma",
    "Ethan",
    "Fatima",
    "Gabriel",
    "Grace",
    "Hana",
    "Hugo",
    "Isaac",
    "Isabella",
    "Jada",
    "Jamal",
    "Javier",
    "Jayden",
    "Kai",
    "Keisha",
    "Liam",
    "Lila",
    "Lucas",
    "Luis",
    "Maya",
    "Mei",
    "Mia",
    "Mohammed",
    "Nadia",
    "Noah",
    "Nora",
    "Olivia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Ryan",
    "Sara",
    "Sofia",
    "Tariq",
    "Theo",
    "Valeria",
    "Wei",
    "Xavier",
    "Yara",
    "Yusuf",
    "Zoe",
    "Zara",
    "Amir",
    "Beatriz",
    "Cole",
    "Dmitri",
    "Elena",
]
LAST_NAMES = [
    "Adams",
    "Alvarez",
    "Anderson",
    "Baker",
    "Brown",
    "Chen",
    "Clark",
    "Cruz",
    "Davis",
    "Diaz",
    "Evans",
    "Flores",
    "Garcia",
    "Gomez",
    "Green",
    "Hall",
    "Harris",
    "Hernandez",
    "Hill",
    "Jackson",
    "Johnson",
    "Kim",
    "Lee",
    "Lewis",
    "Lopez",
    "Martin",
    "Martinez",
    "Miller",
    "Moore",
    "Nguyen",
    "Nelson",
    "Ortiz",
    "Patel",
    "Perez",
    "Ramirez",
    "Reyes",
    "Rivera",
    "Roberts",
    "Robinson",
    "Rodriguez",
    "Sanchez",
    "Scott",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Thompson",
    "Torres",
    "Walker",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Young",
]
DISTRICT_WORDS = [
    "Maple Valley",
    "Cedar Ridge",
    "Riverbend",
    "Lakeshore",
    "Pine Hollow",
    "Granite Falls",
    "Harbor View",
    "Prairie Wind",
    "Silver Creek",
    "Oak Grove",
    "Eagle Rock",
    "Sunset Plains",
    "Willow Park",
    "Bluebonnet",
    "North Fork",
    "Clearwater",
    "Stonebridge",
    "Red Mesa",
    "Highland",
    "Fox Run",
]
# (time zone, country, subdivision): mostly US, some far from UTC, one Canadian.
LOCALES = (
    ("America/Chicago", "US", "TX"),
    ("America/New_York", "US", "NY"),
    ("America/Los_Angeles", "US", "CA"),
    ("America/Denver", "US", "CO"),
    ("Pacific/Honolulu", "US", "HI"),
    ("America/Toronto", "CA", "ON"),
    ("America/Phoenix", "US", "AZ"),
    ("America/Anchorage", "US", "AK"),
)
ELEMENTARY = ["PK", "KG", "01", "02", "03", "04", "05"]
MIDDLE = ["06", "07", "08", "ALG", "GEO"]
AVATAR_BODIES = ("robot", "fox", "astronaut", "dragon", "owl", "explorer")
AVATAR_COLORS = ("teal", "orange", "purple", "green", "blue", "red")
AVATAR_ACCESSORIES = ("", "cap", "glasses", "scarf", "headphones")


@dataclass
class SeedResult:
    organizations: list[Organization] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, username, password

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def school_year_span(as_of: date) -> tuple[date, date]:
    """The school year whose data exists on ``as_of``: mid-August to mid-June.

    Early in a school year (less than a month in) the demo shows the year that just
    ended, which is what a district sees around its reset.
    """
    start_year = as_of.year if as_of >= date(as_of.year, 8, 15) else as_of.year - 1
    start = date(start_year, 8, 15)
    if (as_of - start).days < 30:
        start = date(start_year - 1, 8, 15)
    end = min(as_of, date(start.year + 1, 6, 12))
    return start, end


class _Clock:
    """Precomputed timestamps of school days, as the text each database reads fastest."""

    def __init__(self, start: date, end: date, postgres: bool):
        suffix = "+00" if postgres else ""
        days = [
            start + timedelta(days=n)
            for n in range((end - start).days + 1)
            if (start + timedelta(days=n)).weekday() < 5
        ]
        # School hours in the US, written in UTC (13:00-21:00 UTC ~ 8am-4pm Central).
        self.stamps = [
            f"{datetime.combine(d, time(13 + h, m)):%Y-%m-%d %H:%M:%S}{suffix}"
            for d in days
            for h in range(8)
            for m in (5, 25, 45)
        ]

    def pick(self, fraction: float) -> str:
        return self.stamps[int(fraction * len(self.stamps))]

    def near(self, fraction: float) -> str:
        """A stamp in a third of the year: BOY, MOY or EOY windows."""
        return self.pick(min(0.999, max(0.0, fraction)))


def seed_demo(
    *,
    organizations: int = 3,
    students_per_org: int = 200,
    seed: int = 1,
    as_of: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> SeedResult:
    """Create ``organizations`` demo customers with ``students_per_org`` students each."""
    if organizations < 1 or students_per_org < 0:
        raise ValueError("organizations must be at least 1 and students at least 0")
    as_of = as_of or date.today()
    result = SeedResult()
    # Hashed once: the hasher is slow on purpose, and every demo educator shares it.
    educator_hash = make_password(DEMO_PASSWORD)
    student_hash = make_password("student-demo")
    products = {p.code: p.pk for p in Product.objects.all()}
    pathways = list(Pathway.objects.order_by("code"))
    clock = _Clock(*school_year_span(as_of), postgres=connection.vendor == "postgresql")
    first_number = _next_demo_number()
    pending = _PendingRows(result, progress)

    def work() -> Iterator[None]:
        """Everything to seed, pausing after each chunk written: a safe place to commit."""
        for index in range(organizations):
            rng = random.Random(f"{seed}:{index}")
            org = _create_organization(rng, first_number + index)
            result.organizations.append(org)
            schools = _create_schools(org, students_per_org)
            logins = _create_educators(org, schools, students_per_org, educator_hash)
            if index == 0:
                result.logins.extend(logins)
            yield from _seed_students(
                org,
                schools,
                students_per_org,
                rng,
                clock,
                products,
                pathways,
                student_hash,
                pending,
            )
        pending.write()
        result.logins.extend(_ensure_vendor_staff(educator_hash))

    steps = work()
    with _commits_without_waiting():
        more = True
        while more:
            # One transaction per chunk of students, whichever organizations they belong to.
            with transaction.atomic():
                more = next(steps, _DONE) is not _DONE
    if pending.references_unchecked:
        _check_references([org.pk for org in result.organizations])
    return result


_DONE = object()


class _PendingRows:
    """Generated rows not yet written, for any number of organizations."""

    def __init__(self, result: SeedResult, progress: Callable[[int], None] | None):
        self.result = result
        self.progress = progress
        self.rows: dict[type, list[tuple]] = {m: [] for m in _CHUNK_MODELS}
        self.students = 0
        self.references_unchecked = False

    @property
    def full(self) -> bool:
        return self.students >= STUDENTS_PER_CHUNK

    def write(self) -> None:
        """One bulk insert per table, parents first; call inside a transaction."""
        skip = _may_skip_reference_triggers()
        if skip:
            self.references_unchecked = True
            _set_local("session_replication_role", "replica")
        for model, model_rows in self.rows.items():
            if model_rows:
                self.result.add(
                    model._meta.db_table, bulk_insert(model, _COLUMNS[model], model_rows)
                )
            model_rows.clear()
        if skip:
            _set_local("session_replication_role", "origin")
        if self.progress and self.students:
            self.progress(self.students)
        self.students = 0


def _may_skip_reference_triggers() -> bool:
    """PostgreSQL checks every foreign key of every inserted row one row at a time: for
    product data (3 keys a row) that is two thirds of the server's work. As a superuser
    the generated rows go in without those per-row checks (as ``pg_restore
    --disable-triggers`` does) and ``_check_references`` then checks every key of them
    set-based, one anti-join per key. Anyone else gets the per-row checks."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]


def _set_local(name: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


class SeedReferencesBroken(RuntimeError):
    """Generated rows point at rows that do not exist: a bug in this module."""


def _check_references(organization_ids: list[int]) -> None:
    """Every foreign key of the bulk-written rows of these organizations, set-based."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in _CHUNK_MODELS:
            for fk in model._meta.concrete_fields:
                if fk.remote_field is None:  # not a key (one-to-one keys count too)
                    continue
                parent = fk.related_model._meta
                cursor.execute(
                    f"SELECT count(*) FROM {qn(model._meta.db_table)} c "
                    "WHERE c.organization_id = ANY(%s) AND NOT EXISTS ("
                    f"SELECT 1 FROM {qn(parent.db_table)} p "
                    f"WHERE p.{qn(fk.target_field.column)} = c.{qn(fk.column)})",
                    [organization_ids],
                )
                broken = cursor.fetchone()[0]
                if broken:
                    raise SeedReferencesBroken(
                        f"{broken} rows of {model._meta.db_table}.{fk.column} point at "
                        f"missing {parent.db_table} rows."
                    )


@contextmanager
def _commits_without_waiting() -> Iterator[None]:
    """On PostgreSQL, commits of this session do not wait for the disk while seeding.

    Demo data is made again as easily as it is made: a crash that loses the last few
    chunks costs nothing, and ~100 commits that each wait for the WAL flush of tens of
    megabytes do (other sessions keep the server's setting).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('synchronous_commit')")
        before = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('synchronous_commit', 'off', false)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('synchronous_commit', %s, false)", [before])


def _next_demo_number() -> int:
    taken = Organization.objects.filter(site_code__startswith="DEMO").values_list(
        "site_code", flat=True
    )
    numbers = [int(code[4:]) for code in taken if code[4:].isdigit()]
    return max(numbers, default=0) + 1


def _create_organization(rng: random.Random, number: int) -> Organization:
    words = DISTRICT_WORDS[(number - 1) % len(DISTRICT_WORDS)]
    time_zone, country, subdivision = LOCALES[(number - 1) % len(LOCALES)]
    ends = date(2024, 5, 24) + timedelta(days=rng.randrange(0, 21))
    return organization_create(
        site_code=f"DEMO{number:03d}",
        name=f"{words} School District" + (f" {number}" if number > len(DISTRICT_WORDS) else ""),
        time_zone=time_zone,
        country=country,
        subdivision=subdivision,
        last_day_of_school=ends,
        last_day_of_summer_school=ends + timedelta(days=35) if rng.random() < 0.5 else None,
        via=Via.SYSTEM,
    )


def _create_schools(org: Organization, students: int) -> list[tuple[School, list[str]]]:
    count = max(2, min(60, students // 400))
    schools = []
    place = org.name.split(" School District")[0]
    for n in range(count):
        middle = n % 3 == 2  # two elementary schools for each middle school
        kind = "Middle School" if middle else "Elementary"
        school = School.unscoped.create(
            organization=org,
            name=f"{place} {kind} {n + 1}",
            sis_sourced_id=f"{org.site_code}-SCH{n + 1:03d}",
        )
        schools.append((school, MIDDLE if middle else ELEMENTARY))
    return schools


def _create_educators(org, schools, students, password_hash) -> list[tuple[str, str, str]]:
    prefix = org.site_code.lower()
    district_admin, _ = user_create(
        username=f"{prefix}-district-admin",
        role=Role.DISTRICT_ADMIN,
        organization=org,
        password_hash=password_hash,
        first_name="Dana",
        last_name="Whitfield",
        email=f"district.admin@{prefix}.example.org",
        via=Via.SYSTEM,
    )
    school_admin, _ = user_create(
        username=f"{prefix}-school-admin",
        role=Role.SCHOOL_ADMIN,
        organization=org,
        schools=[schools[0][0]],
        password_hash=password_hash,
        first_name="Sam",
        last_name="Okafor",
        email=f"school.admin@{prefix}.example.org",
        via=Via.SYSTEM,
    )
    # Teachers are created in _seed_students, one per class, set-based.
    logins = [
        (Role.DISTRICT_ADMIN.label, district_admin.username, DEMO_PASSWORD),
        (Role.SCHOOL_ADMIN.label, school_admin.username, DEMO_PASSWORD),
    ]
    if students:
        logins.append((Role.TEACHER.label, f"{prefix}-teacher-1", DEMO_PASSWORD))
    return logins


def _ensure_vendor_staff(password_hash: str) -> list[tuple[str, str, str]]:
    logins = []
    # Two operations logins: an off-schedule reset needs a second person to approve it.
    staff = (
        (Role.CSM, "demo-csm", Role.CSM.label),
        (Role.OPS, "demo-ops", Role.OPS.label),
        (Role.OPS, "demo-ops-2", f"{Role.OPS.label} (second approver)"),
    )
    for role, username, label in staff:
        if not User.objects.filter(username=username).exists():
            user_create(username=username, role=role, password_hash=password_hash, via=Via.SYSTEM)
        logins.append((label, username, DEMO_PASSWORD))
    return logins


def _seed_students(
    org, schools, total, rng, clock, products, pathways, student_hash, pending
) -> Iterator[None]:
    """Classes, teachers, then students and product data into ``pending``; yields after
    each chunk it writes (the caller commits there)."""
    prek2 = products["im_prek2"]
    three_plus = products["im_3plus"]
    facts = products["im_facts"]
    extra_codes = ("3plus-fluency", "3plus-staar")
    extra_3plus = sorted((p for p in pathways if p.code in extra_codes), key=lambda p: p.code)
    by_grade = {}
    for pathway in pathways:
        if pathway.code not in extra_codes:
            by_grade.setdefault((pathway.product_id, pathway.grade), []).append(pathway)

    # Plan every student's school and grade first, so classes can be sized.
    plan: list[tuple[int, str]] = []
    for n in range(total):
        school_index = n % len(schools)
        grades = schools[school_index][1]
        plan.append((school_index, grades[int(rng.random() * len(grades))]))
    classes = _create_classes_and_teachers(org, schools, plan, clock, pending.result)

    epoch = org.student_epoch
    student_ids = next_ids(Student, total)
    created = clock.stamps[0]
    seat_in_class: dict[tuple[int, str], int] = {}

    rows = pending.rows
    for n in range(total):
        sid = student_ids[n]
        school_index, grade = plan[n]
        school = schools[school_index][0]
        first = FIRST_NAMES[int(rng.random() * len(FIRST_NAMES))]
        last = LAST_NAMES[int(rng.random() * len(LAST_NAMES))]
        rows[Student].append(
            (
                sid,
                org.pk,
                school.pk,
                epoch,
                f"{first[0]}{last}{n + 1}".lower(),
                first,
                last,
                grade,
                student_hash,
                f"{org.site_code}-STU{n + 1:06d}",
                created,
            )
        )
        key = (school_index, grade)
        seat = seat_in_class.get(key, 0)
        seat_in_class[key] = seat + 1
        class_ids = classes[key]
        rows[Enrollment].append((org.pk, class_ids[(seat // CLASS_SIZE) % len(class_ids)], sid))
        _product_rows(
            rows,
            rng,
            clock,
            org.pk,
            sid,
            grade,
            by_grade,
            extra_3plus,
            prek2,
            three_plus,
            facts,
        )
        pending.students += 1
        if pending.full:
            pending.write()
            yield


def _product_rows(
    rows, rng, clock, org_id, sid, grade, by_grade, extra_3plus, prek2, three_plus, facts
) -> None:
    random_ = rng.random
    young = grade in PREK_TO_2
    product = prek2 if young else three_plus
    if young:
        placements = by_grade.get((prek2, grade), [])[:1]
        rows[TokenBalance].append((org_id, sid, int(random_() * 900)))
    else:
        own = by_grade.get((three_plus, grade), [])
        placements = list(own[:1])
        # About half the 3+ students work in a second pathway, a few in a third.
        draw = random_()
        if draw < 0.5:
            placements.append(extra_3plus[0])
        if draw < 0.12:
            placements.append(extra_3plus[1])
        rows[ThinkPointBalance].append((org_id, sid, int(random_() * 12_000)))
        rows[Avatar].append(
            (
                org_id,
                sid,
                AVATAR_BODIES[int(random_() * 6)],
                AVATAR_COLORS[int(random_() * 6)],
                AVATAR_ACCESSORIES[int(random_() * 5)],
            )
        )
    for pathway in placements:
        rows[PathwayPlacement].append((org_id, sid, pathway.pk, clock.pick(random_() * 0.1)))

    # About 60 lesson results, spread over the student's pathways.
    lessons = 50 + int(random_() * 21)
    skill = 0.55 + random_() * 0.4
    if placements:
        for k in range(lessons):
            pathway = placements[k % len(placements)]
            number = k // len(placements) + 1
            r = random_()
            if k >= lessons - len(placements):
                rows[LessonProgress].append(
                    (org_id, sid, pathway.pk, number, "in_progress", None, 1, None)
                )
                continue
            score = min(100, int(skill * 100 * (0.7 + r * 0.5)))
            status = "passed" if score >= 70 else "not_passed"
            rows[LessonProgress].append(
                (
                    org_id,
                    sid,
                    pathway.pk,
                    number,
                    status,
                    score,
                    1 + int(r * 3),
                    clock.pick((k + r) / lessons),
                )
            )

    # Three benchmark assessments; growth over the year.
    base = 300 + int(skill * 600) if young else 700 + int(skill * 700)
    for window, fraction in (("BOY", 0.05), ("MOY", 0.45), ("EOY", 0.92)):
        growth = int(fraction * 120)
        scale = base + growth + int(random_() * 30)
        quantile = scale - (650 if young else 400) + int(random_() * 40)
        rows[Assessment].append(
            (org_id, sid, product, window, scale, quantile, clock.near(fraction + random_() * 0.04))
        )

    # About 120 usage sessions over the year.
    sessions = 100 + int(random_() * 41)
    for _ in range(sessions):
        r = random_()
        rows[UsageSession].append(
            (
                org_id,
                sid,
                facts if r < 0.2 else product,
                clock.pick(random_()),
                5 + int(r * 40),
            )
        )

    if grade not in ("PK", "KG"):
        ops = ("add", "sub") if young else ("add", "sub", "mul", "div")
        for op in ops:
            rows[FactFluency].append((org_id, sid, op, int(random_() * 144)))


def _create_classes_and_teachers(
    org, schools, plan, clock, result
) -> dict[tuple[int, str], list[int]]:
    sizes: dict[tuple[int, str], int] = {}
    for key in plan:
        sizes[key] = sizes.get(key, 0) + 1
    keys = sorted(sizes, key=lambda k: (k[0], k[1]))
    class_count = sum(math.ceil(sizes[k] / CLASS_SIZE) for k in keys)
    class_ids = iter(next_ids(SchoolClass, class_count))
    prefix = org.site_code.lower()
    classes: dict[tuple[int, str], list[int]] = {}
    class_rows, teachers, memberships, assignments = [], [], [], []
    teacher_hash = (
        User.objects.filter(username=f"{prefix}-district-admin")
        .values_list("password", flat=True)
        .first()
    )
    created = clock.stamps[0]
    section = 0
    for key in keys:
        school_index, grade = key
        school = schools[school_index][0]
        for k in range(math.ceil(sizes[key] / CLASS_SIZE)):
            section += 1
            class_id = next(class_ids)
            classes.setdefault(key, []).append(class_id)
            class_rows.append(
                (
                    class_id,
                    org.pk,
                    school.pk,
                    org.student_epoch,
                    f"Grade {grade} Math {k + 1}",
                    grade,
                    None,
                    f"{org.site_code}-CLS{section:05d}",
                    created,
                )
            )
            teachers.append(
                User(
                    username=f"{prefix}-teacher-{section}",
                    role=Role.TEACHER,
                    organization=org,
                    first_name="Teacher",
                    last_name=f"{section}",
                    password=teacher_hash,
                    email=f"teacher{section}@{prefix}.example.org",
                    sis_sourced_id=f"{org.site_code}-TCH{section:05d}",
                )
            )
    with transaction.atomic():
        result.add(
            SchoolClass._meta.db_table, bulk_insert(SchoolClass, _COLUMNS[SchoolClass], class_rows)
        )
        created_teachers = User.objects.bulk_create(teachers, batch_size=2000)
        if any(teacher.pk is None for teacher in created_teachers):
            # Databases that cannot return ids from a bulk insert: look them up.
            by_name = dict(
                User.objects.filter(organization=org, role=Role.TEACHER).values_list(
                    "username", "pk"
                )
            )
            for teacher in created_teachers:
                teacher.pk = by_name[teacher.username]
        flat = [(key, cid) for key in keys for cid in classes.get(key, [])]
        for teacher, (key, class_id) in zip(created_teachers, flat, strict=True):
            memberships.append(
                SchoolMembership(
                    organization=org, user_id=teacher.pk, school_id=schools[key[0]][0].pk
                )
            )
            assignments.append((org.pk, class_id, teacher.pk))
        SchoolMembership.unscoped.bulk_create(memberships, batch_size=2000, ignore_conflicts=True)
        result.add(
            TeacherAssignment._meta.db_table,
            bulk_insert(TeacherAssignment, _COLUMNS[TeacherAssignment], assignments),
        )
    return classes


_COLUMNS = {
    Student: STUDENT_INSERT_COLUMNS,
    SchoolClass: (
        "id",
        "organization_id",
        "school_id",
        "epoch",
        "name",
        "grade",
        "product_id",
        "sis_sourced_id",
        "created_at",
    ),
    TeacherAssignment: ("organization_id", "school_class_id", "teacher_id"),
    Enrollment: ("organization_id", "school_class_id", "student_id"),
    TokenBalance: ("organization_id", "student_id", "tokens"),
    ThinkPointBalance: ("organization_id", "student_id", "points"),
    Avatar: ("organization_id", "student_id", "body", "color", "accessory"),
    PathwayPlacement: ("organization_id", "student_id", "pathway_id", "placed_at"),
    LessonProgress: (
        "organization_id",
        "student_id",
        "pathway_id",
        "lesson_number",
        "status",
        "score",
        "attempts",
        "completed_at",
    ),
    Assessment: (
        "organization_id",
        "student_id",
        "product_id",
        "window",
        "scale_score",
        "quantile_measure",
        "taken_at",
    ),
    UsageSession: ("organization_id", "student_id", "product_id", "started_at", "minutes"),
    FactFluency: ("organization_id", "student_id", "operation", "facts_mastered"),
}
# Parents before children inside each chunk's transaction.
_CHUNK_MODELS = (
    Student,
    Enrollment,
    TokenBalance,
    ThinkPointBalance,
    Avatar,
    PathwayPlacement,
    LessonProgress,
    Assessment,
    UsageSession,
    FactFluency,
)
