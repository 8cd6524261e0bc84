"""Writing a valid synthetic OneRoster 1.1 bundle, for benchmarks, demos and tests.

Rows are streamed to the files, so memory stays flat however large the bundle is.
"""

from __future__ import annotations

import csv
import random
import zipfile
from pathlib import Path

from yearend.rosters.oneroster.columns import FILE_TITLES, V1P1_COLUMNS

FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Diego",
    "Emma",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Milo",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
]
LAST = [
    "Ng",
    "Smith",
    "Garcia",
    "Okafor",
    "Kim",
    "Novak",
    "Haddad",
    "Silva",
    "Jones",
    "Larsen",
    "Patel",
    "Cohen",
    "Diaz",
    "Moreau",
    "Tanaka",
    "Reyes",
]
GRADES = ["KG", "01", "02", "03", "04", "05", "06", "07", "08"]
HEADERS = {FILE_TITLES.get(name, name): list(cols) for name, cols in V1P1_COLUMNS.items()}
STAMP = "2024-08-20T12:00:00.000Z"


def make_oneroster(
    out: str | Path,
    *,
    students: int,
    teachers: int | None = None,
    classes: int | None = None,
    schools: int | None = None,
    enrollments_per_student: int = 4,
    school_year: int = 2025,
    seed: int = 1,
    prefix: str = "",
) -> dict[str, int]:
    """Write the bundle to ``out`` (a folder, or a .zip when the name ends so).

    Returns how many rows each file holds.
    """
    rng = random.Random(seed)
    teachers = teachers if teachers is not None else max(1, students // 20)
    classes = classes if classes is not None else max(1, students // 20)
    schools = schools or max(1, min(classes // 50, 200))
    per = max(1, min(enrollments_per_student, classes // schools))
    out = Path(out)
    as_zip = out.suffix.lower() == ".zip"
    folder = out.with_suffix("") if as_zip else out
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def writer(name: str):
        handle = open(folder / f"{name}.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115
        w = csv.writer(handle, lineterminator="\r\n")
        w.writerow(HEADERS[name])
        return handle, w

    handle, w = writer("orgs")
    for s in range(schools):
        w.writerow(
            [f"{prefix}sch-{s}", "active", STAMP, f"School {s + 1:03d}", "school", f"S{s}", ""]
        )
    handle.close()
    counts["orgs"] = schools

    handle, w = writer("academicSessions")
    start, end = f"{school_year - 1}-08-01", f"{school_year}-06-30"
    w.writerow(
        [
            f"{prefix}sy-{school_year}",
            "active",
            STAMP,
            f"{school_year - 1}-{school_year}",
            "schoolYear",
            start,
            end,
            "",
            str(school_year),
        ]
    )
    handle.close()
    counts["academicSessions"] = 1

    handle, w = writer("users")

    def user_row(sourced_id: str, school: int, role: str, username: str) -> list:
        # The 1.1 users columns: identity, empty ids and contacts, grades, password.
        # Names are drawn before the grade, which keeps bundles of one seed identical.
        first, last = rng.choice(FIRST), rng.choice(LAST)
        grade = rng.choice(GRADES) if role == "student" else ""
        return [
            sourced_id,
            "active",
            STAMP,
            "true",
            f"{prefix}sch-{school}",
            role,
            username,
            "",
            first,
            last,
            "",
            "",
            "",
            "",
            "",
            "",
            grade,
            "",
        ]

    for t in range(teachers):
        w.writerow(user_row(f"{prefix}t-{t}", t % schools, "teacher", f"{prefix}teacher{t}"))
    for i in range(students):
        w.writerow(user_row(f"{prefix}s-{i}", i % schools, "student", f"{prefix}student{i}"))
    handle.close()
    counts["users"] = teachers + students

    handle, w = writer("classes")
    for c in range(classes):
        w.writerow(
            [
                f"{prefix}c-{c}",
                "active",
                STAMP,
                f"Math {c + 1}",
                GRADES[c % 9],
                "",
                f"M{c}",
                "scheduled",
                "",
                f"{prefix}sch-{c % schools}",
                f"{prefix}sy-{school_year}",
                "Math",
                "",
                "",
            ]
        )
    handle.close()
    counts["classes"] = classes

    handle, w = writer("enrollments")
    rows = 0
    per_school = max(1, classes // schools)
    for c in range(classes):
        w.writerow(
            [
                f"{prefix}e-t-{c}",
                "active",
                STAMP,
                f"{prefix}c-{c}",
                f"{prefix}sch-{c % schools}",
                f"{prefix}t-{c % teachers}",
                "teacher",
                "true",
                "",
                "",
            ]
        )
        rows += 1
    for i in range(students):
        school = i % schools
        for m in range(per):
            k = (i // schools + m) % per_school
            c = school + k * schools
            if c >= classes:
                continue
            w.writerow(
                [
                    f"{prefix}e-{i}-{m}",
                    "active",
                    STAMP,
                    f"{prefix}c-{c}",
                    f"{prefix}sch-{school}",
                    f"{prefix}s-{i}",
                    "student",
                    "false",
                    "",
                    "",
                ]
            )
            rows += 1
    handle.close()
    counts["enrollments"] = rows

    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle, lineterminator="\r\n")
        w.writerow(["propertyName", "value"])
        w.writerow(["manifest.version", "1.0"])
        w.writerow(["oneroster.version", "1.1"])
        for name in ("academicSessions", "orgs", "users", "classes", "enrollments"):
            w.writerow([f"file.{name}", "bulk"])
        for name in (
            "courses",
            "demographics",
            "lineItems",
            "results",
            "categories",
            "resources",
            "classResources",
            "courseResources",
        ):
            w.writerow([f"file.{name}", "absent"])
        w.writerow(["source.systemName", "make_oneroster"])
    if as_zip:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, path.name)
                path.unlink()
        folder.rmdir()
    return counts
