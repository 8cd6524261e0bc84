"""Hand-made OneRoster bundles for tests: a small valid roster, edited file by file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

MANIFEST = {
    "academicSessions": "bulk",
    "orgs": "bulk",
    "users": "bulk",
    "classes": "bulk",
    "enrollments": "bulk",
}

ORGS = [
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "dist-1,active,2024-08-01,Home District,district,,",
    "sch-n,active,2024-08-01,North Elementary,school,,dist-1",
    "sch-w,active,2024-08-01,West Primary,school,,dist-1",
]
SESSIONS = [
    "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear",
    "sy-2025,active,2024-08-01,2024-2025,schoolYear,2024-08-01,2025-06-30,,2025",
]
USERS_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
    "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"
)
CLASSES_HEADER = (
    "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
    "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"
)
ENROLLMENTS_HEADER = (
    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
    "primary,beginDate,endDate"
)


def student(
    n: int, *, school: str = "sch-n", grade: str = "03", first: str = "Stu", status: str = "active"
) -> str:
    return (
        f"s-{n},{status},2024-08-01,true,{school},student,student{n},,{first},Last{n},,,,,,,"
        f"{grade},"
    )


def teacher(n: int, *, school: str = "sch-n", role: str = "teacher") -> str:
    return f"t-{n},active,2024-08-01,true,{school},{role},teacher{n},,Tea,Cher{n},,,t{n}@x.org,,,,,"


def klass(n: int, *, school: str = "sch-n", status: str = "active") -> str:
    return f"c-{n},{status},2024-08-01,Math {n},03,,,scheduled,,{school},sy-2025,,,"


def enrollment(c: int, user: str, role: str = "student", status: str = "active") -> str:
    return f"e-{c}-{user},{status},2024-08-01,c-{c},sch-n,{user},{role},false,,"


def roster_files(students: int = 20, classes: int = 2, teachers: int = 2) -> dict[str, list[str]]:
    return {
        "manifest": ["propertyName,value", "manifest.version,1.0", "oneroster.version,1.1"]
        + [f"file.{k},{v}" for k, v in MANIFEST.items()],
        "orgs": list(ORGS),
        "academicSessions": list(SESSIONS),
        "users": [USERS_HEADER]
        + [teacher(t) for t in range(teachers)]
        + [student(s) for s in range(students)],
        "classes": [CLASSES_HEADER] + [klass(c) for c in range(classes)],
        "enrollments": [ENROLLMENTS_HEADER]
        + [enrollment(c, f"t-{c % teachers}", "teacher") for c in range(classes)]
        + [enrollment(s % classes, f"s-{s}") for s in range(students)],
    }


def set_mode(files: dict[str, list[str]], name: str, mode: str) -> None:
    files["manifest"] = [
        f"file.{name},{mode}" if line.startswith(f"file.{name},") else line
        for line in files["manifest"]
    ]


def write_bundle(folder: Path, files: dict[str, list[str]], *, newline: str = "\r\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    for name, lines in files.items():
        (folder / f"{name}.csv").write_bytes((newline.join(lines) + newline).encode())
    return folder


def zipped(files: dict[str, list[str]]) -> io.BytesIO:
    """The bundle as an uploaded .zip would arrive (named roster.zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, lines in files.items():
            archive.writestr(f"{name}.csv", "\r\n".join(lines) + "\r\n")
    buffer.seek(0)
    buffer.name = "roster.zip"
    return buffer
