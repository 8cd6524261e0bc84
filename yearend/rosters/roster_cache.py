"""Validated rosters kept by bundle digest, so re-importing an unchanged bundle skips parsing.

Only full snapshots are kept (orgs, users, classes and enrollments all bulk): their
validation depends on nothing in the database but the schools, which a cache hit checks
again. Stored as JSON (not pickle) under MEDIA_ROOT; a missing or unreadable entry is
simply a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from yearend.rosters.oneroster import parse, validate
from yearend.rosters.oneroster.validate import Educator, Roster, Student

KEEP = 20


@lru_cache(maxsize=1)
def _version() -> str:
    """Changes whenever the validator's code does, so old entries are never trusted."""
    sha = hashlib.sha256()
    for module in (parse, validate):
        sha.update(Path(module.__file__).read_bytes())
    return sha.hexdigest()[:12]


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "roster-cache"


def _path(digest: str) -> Path:
    return _folder() / f"v{_version()}-{digest}.json"


def cacheable(roster: Roster) -> bool:
    return not roster.errors and all(
        roster.modes.get(kind) == "bulk" for kind in ("orgs", "users", "classes", "enrollments")
    )


def roster_cache_put(digest: str, roster: Roster) -> None:
    if not cacheable(roster):
        return
    record = {
        "version": roster.version,
        "modes": roster.modes,
        "schools": roster.schools,
        "students": {
            k: [s.username, s.first_name, s.last_name, s.grade, s.school]
            for k, s in roster.students.items()
        },
        "educators": {
            k: [e.username, e.first_name, e.last_name, e.email, e.role, list(e.schools)]
            for k, e in roster.educators.items()
        },
        "classes": roster.classes,
        "enrollments": list(roster.enrollments),
        "assignments": list(roster.assignments),
        "deleted_users": sorted(roster.deleted_users),
        "deleted_classes": sorted(roster.deleted_classes),
        "school_year": roster.school_year,
        "users_rows": roster.users_rows,
        "notices": roster.notices,
    }
    try:
        folder = _folder()
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{digest}.{os.getpid()}.tmp"
        with open(temporary, "w") as handle:
            json.dump(record, handle)  # written piece by piece, never one large string
        os.replace(temporary, _path(digest))
        entries = sorted(folder.glob("v*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        return  # a cache that cannot be written is only slower


def roster_cache_get(digest: str, known_schools: set[str]) -> Roster | None:
    try:
        record = json.loads(_path(digest).read_text())
        roster = Roster(
            version=record["version"],
            modes=record["modes"],
            schools=record["schools"],
            students={k: Student(*v) for k, v in record["students"].items()},
            educators={k: Educator(*v[:5], tuple(v[5])) for k, v in record["educators"].items()},
            classes={k: tuple(v) for k, v in record["classes"].items()},
            enrollments=set(map(tuple, record["enrollments"])),
            assignments=set(map(tuple, record["assignments"])),
            deleted_users=set(record["deleted_users"]),
            deleted_classes=set(record["deleted_classes"]),
            school_year=record["school_year"],
            users_rows=record["users_rows"],
            notices=record["notices"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    schools = set(roster.schools) | known_schools
    referenced = {s.school for s in roster.students.values()}
    referenced |= {c[1] for c in roster.classes.values()}
    referenced |= {s for e in roster.educators.values() for s in e.schools}
    if not referenced <= schools:
        return None  # a school it relied on is gone: validate afresh
    return roster
