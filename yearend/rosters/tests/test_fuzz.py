"""Mutated bundles (dropped columns, swapped references, garbage bytes, truncated files):
each import either applies cleanly or changes nothing, and never raises."""

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.people.models import Student, User
from yearend.rosters.importer.integrity import enrollments_orphaned
from yearend.rosters.models import ImportRun
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import roster_files, write_bundle

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

NAMES = ["manifest", "orgs", "academicSessions", "users", "classes", "enrollments"]


def state(org):
    return (
        sorted(Student.tenant.of(org).values_list("sis_sourced_id", "username", "grade")),
        sorted(SchoolClass.tenant.of(org).values_list("sis_sourced_id", "name")),
        Enrollment.tenant.of(org).count(),
        TeacherAssignment.tenant.of(org).count(),
        sorted(User.objects.filter(organization=org).values_list("username", "is_active")),
    )


@st.composite
def mutation(draw):
    kind = draw(st.sampled_from(["drop_column", "swap_refs", "garbage", "truncate", "drop_file"]))
    name = draw(st.sampled_from(NAMES))
    return kind, name, draw(st.integers(0, 10_000)), draw(st.binary(min_size=1, max_size=12))


def mutate(path: Path, kind: str, name: str, n: int, junk: bytes) -> None:
    file = path / f"{name}.csv"
    data = file.read_bytes()
    if kind == "drop_file":
        file.unlink()
    elif kind == "garbage":
        at = n % (len(data) + 1)
        file.write_bytes(data[:at] + junk + data[at:])
    elif kind == "truncate":
        file.write_bytes(data[: n % (len(data) + 1)])
    else:
        lines = data.decode(errors="surrogateescape").split("\r\n")
        rows = [line.split(",") for line in lines]
        if kind == "drop_column":
            column = n % len(rows[0])
            rows = [r[:column] + r[column + 1 :] for r in rows]
        elif len(rows) > 3:
            a, b = 1 + n % (len(rows) - 2), 1 + (n // 7) % (len(rows) - 2)
            column = n % len(rows[0])
            if column < len(rows[a]) and column < len(rows[b]):
                rows[a][column], rows[b][column] = rows[b][column], rows[a][column]
        file.write_bytes("\r\n".join(",".join(r) for r in rows).encode(errors="surrogateescape"))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutations=st.lists(mutation(), min_size=1, max_size=3))
def test_a_mutated_bundle_applies_cleanly_or_changes_nothing(org, mutations):
    folder = Path(tempfile.mkdtemp(prefix="yer-fuzz-"))
    try:
        files = roster_files(students=8, classes=2, teachers=2)
        base = write_bundle(folder / "base", files)
        roster_import(organization=org, path=base, force=True)
        before = state(org)
        path = write_bundle(folder / "m", files)
        for kind, name, n, junk in mutations:
            if (path / f"{name}.csv").exists():
                mutate(path, kind, name, n, junk)
        run = roster_import(organization=org, path=path)
        assert run.status in {
            ImportRun.Status.APPLIED,
            ImportRun.Status.REFUSED,
            ImportRun.Status.HELD,
        }
        if run.status != ImportRun.Status.APPLIED:
            assert state(org) == before
        else:
            assert not run.errors
            assert enrollments_orphaned(org) == 0
            # Applying the same bundle again changes nothing.
            after = state(org)
            again = roster_import(organization=org, path=path, force=True)
            assert again.status == ImportRun.Status.APPLIED
            assert state(org) == after
    finally:
        shutil.rmtree(folder)
