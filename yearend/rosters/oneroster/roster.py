"""What validating a bundle makes of it beyond its rows (``Roster``), and what the
database already holds that a delta file may name (``Known``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from yearend.rosters.oneroster.parse import Problems


@dataclass
class Roster:
    """What a valid bundle says, beyond its rows. Modes are 'bulk', 'delta' or None.

    Users, classes and enrollments are not here: validation hands them to the staging
    tables (``yearend.rosters.staging``), where the comparison reads them. What is here
    grows with the schools only.
    """

    version: str = "1.1"
    modes: dict[str, str | None] = field(default_factory=dict)
    schools: dict[str, str] = field(default_factory=dict)
    school_year: str | None = None
    users_rows: int = 0
    errors: list[str] = field(default_factory=list)  # the first ones, then how many more
    error_count: int = 0
    notices: list[str] = field(default_factory=list)


@dataclass
class Known:
    """What the database already holds, for references a delta file may make: schools by
    sourcedId; classes, educators and students are looked up by the database (the
    organization's, of ``epoch``)."""

    organization_id: int | None = None
    epoch: int = 0
    schools: set[str] = field(default_factory=set)


def roster_finish(roster: Roster, problems: Problems) -> Roster:
    """``roster`` with the errors and notices validation recorded."""
    roster.errors = problems.listed_errors()
    roster.error_count = problems.error_count
    roster.notices = problems.listed_notices()
    return roster
