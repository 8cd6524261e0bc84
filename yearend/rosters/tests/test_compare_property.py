"""The comparison is right whatever the rosters: importing bulk roster A and then bulk
roster B leaves a district exactly as importing B alone into an empty district would
(educators A had and B lacks are kept, inactive, and so not compared)."""

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yearend.classes.models import Enrollment, SchoolClass, TeacherAssignment
from yearend.people.models import SchoolMembership, Student, User
from yearend.rosters.models import ImportRun
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import (
    CLASSES_HEADER,
    ENROLLMENTS_HEADER,
    ORGS,
    SESSIONS,
    USERS_HEADER,
    write_bundle,
)

pytestmark = [pytest.mark.slow, pytest.mark.core, pytest.mark.django_db]

SCHOOLS = ("sch-n", "sch-w")
ROLES = ("teacher", "principal", "districtAdministrator")
_districts = itertools.count()
# Each example imports three small bundles into fresh districts of the same test database.
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def rosters(draw):
    teachers = draw(
        st.dictionaries(
            st.integers(0, 4),
            st.tuples(
                st.sampled_from(["Ann", "Bo"]),
                st.lists(st.sampled_from(SCHOOLS), min_size=1, max_size=2, unique=True),
                st.sampled_from(ROLES),
            ),
        )
    )
    classes = draw(
        st.dictionaries(
            st.integers(0, 3),
            st.tuples(
                st.sampled_from(["Math A", "Math B"]),
                st.sampled_from(SCHOOLS),
                st.sampled_from(["03", "05", ""]),
            ),
        )
    )
    students = draw(
        st.dictionaries(
            st.integers(0, 6),
            st.tuples(
                st.sampled_from(["Cy", "Di"]),
                st.sampled_from(["03", "04"]),
                st.sampled_from(SCHOOLS),
            ),
            min_size=1,
        )
    )
    links = st.just(frozenset())
    if classes and teachers:
        links = st.frozensets(
            st.tuples(st.sampled_from(sorted(classes)), st.sampled_from(sorted(teachers)))
        )
    seats = st.just(frozenset())
    if classes:
        seats = st.frozensets(
            st.tuples(st.sampled_from(sorted(classes)), st.sampled_from(sorted(students)))
        )
    return teachers, classes, students, draw(links), draw(seats)


def files_of(roster, prefix: str) -> dict[str, list[str]]:
    teachers, classes, students, assignments, enrollments = roster
    users = [USERS_HEADER]
    for n, (first, schools, role) in sorted(teachers.items()):
        users.append(
            f't-{n},active,2024-08-01,true,"{",".join(schools)}",{role},{prefix}teacher{n},,'
            f"{first},Cher{n},,,t{n}@x.org,,,,,"
        )
    for n, (first, grade, school) in sorted(students.items()):
        users.append(
            f"s-{n},active,2024-08-01,true,{school},student,{prefix}student{n},,{first},"
            f"Last{n},,,,,,,{grade},"
        )
    return {
        "manifest": ["propertyName,value", "manifest.version,1.0", "oneroster.version,1.1"]
        + [
            f"file.{k},bulk"
            for k in ("academicSessions", "orgs", "users", "classes", "enrollments")
        ],
        "orgs": list(ORGS),
        "academicSessions": list(SESSIONS),
        "users": users,
        "classes": [CLASSES_HEADER]
        + [
            f"c-{n},active,2024-08-01,{title},{grade},,,scheduled,,{school},sy-2025,,,"
            for n, (title, school, grade) in sorted(classes.items())
        ],
        "enrollments": [ENROLLMENTS_HEADER]
        + [
            f"e-{c}-t-{t},active,2024-08-01,c-{c},sch-n,t-{t},teacher,false,,"
            for c, t in sorted(assignments)
        ]
        + [
            f"e-{c}-s-{s},active,2024-08-01,c-{c},sch-n,s-{s},student,false,,"
            for c, s in sorted(enrollments)
        ],
    }


def state(org, prefix: str):
    """What an import decides, by sourcedId (row ids and the per-district username prefix
    aside)."""

    def bare(username: str) -> str:
        return username.removeprefix(prefix)

    educators = User.objects.filter(organization=org, is_active=True).exclude(sis_sourced_id="")
    return (
        sorted(
            (sid, bare(username), first, email, role)
            for sid, username, first, email, role in educators.values_list(
                "sis_sourced_id", "username", "first_name", "email", "role"
            )
        ),
        sorted(
            SchoolMembership.tenant.of(org)
            .filter(user__is_active=True)
            .values_list("user__sis_sourced_id", "school__sis_sourced_id")
        ),
        sorted(
            SchoolClass.tenant.of(org).values_list(
                "sis_sourced_id", "name", "school__sis_sourced_id", "grade"
            )
        ),
        sorted(
            TeacherAssignment.tenant.of(org).values_list(
                "school_class__sis_sourced_id", "teacher__sis_sourced_id"
            )
        ),
        sorted(
            (sid, bare(username), first, grade, school)
            for sid, username, first, grade, school in Student.tenant.of(org).values_list(
                "sis_sourced_id", "username", "first_name", "grade", "school__sis_sourced_id"
            )
        ),
        sorted(
            Enrollment.tenant.of(org).values_list(
                "school_class__sis_sourced_id", "student__sis_sourced_id"
            )
        ),
    )


def imported(org, folder: Path, files) -> None:
    # force: the safety holds are not what this proves.
    run = roster_import(organization=org, path=write_bundle(folder, files), force=True)
    assert run.status == ImportRun.Status.APPLIED, (run.message, run.errors)


def assert_ends_alike(make_organization, first, then, alone) -> None:
    """Importing ``first`` then ``then`` into one new district ends as importing ``alone``
    into another. Each makes a bundle's files for a district's username prefix."""
    n = next(_districts)
    folder = Path(tempfile.mkdtemp(prefix="yer-compare-"))
    try:
        updated, fresh = make_organization(f"UPD{n:04d}"), make_organization(f"NEW{n:04d}")
        imported(updated, folder / "a", first(f"u{n}-"))
        imported(updated, folder / "b", then(f"u{n}-"))
        imported(fresh, folder / "c", alone(f"f{n}-"))
        assert state(updated, f"u{n}-") == state(fresh, f"f{n}-")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@EXAMPLES
@given(first=rosters(), then=rosters())
def test_a_roster_after_another_ends_as_that_roster_alone(make_organization, first, then):
    assert_ends_alike(
        make_organization,
        lambda prefix: files_of(first, prefix),
        lambda prefix: files_of(then, prefix),
        lambda prefix: files_of(then, prefix),
    )


@st.composite
def deltas(draw, base):
    """A delta on ``base``: rows it adds or changes, rows it deletes, and links between
    what exists once it is applied (a link to a deleted row would be refused)."""
    teachers, classes, students, assignments, enrollments = base
    fresh = draw(rosters())
    gone_teachers = draw(st.sets(st.sampled_from(sorted(teachers)))) if teachers else set()
    gone_classes = draw(st.sets(st.sampled_from(sorted(classes)))) if classes else set()
    gone_students = draw(st.sets(st.sampled_from(sorted(students)))) if students else set()
    upserts = tuple(
        {k: v for k, v in rows.items() if k not in gone}
        for rows, gone in zip(fresh[:3], (gone_teachers, gone_classes, gone_students), strict=True)
    )
    after = tuple(
        ({k: v for k, v in old.items() if k not in gone} | new)
        for old, new, gone in zip(
            (teachers, classes, students),
            upserts,
            (gone_teachers, gone_classes, gone_students),
            strict=True,
        )
    )
    links = {"t": frozenset(), "s": frozenset()}
    for kind, people in (("t", after[0]), ("s", after[2])):
        if after[1] and people:
            links[kind] = draw(
                st.frozensets(
                    st.tuples(st.sampled_from(sorted(after[1])), st.sampled_from(sorted(people)))
                )
            )
    # A pair is linked or unlinked by a delta, not both (one sourcedId, one row).
    unlinked = {
        kind: draw(st.sets(st.sampled_from(sorted(old - links[kind]))))
        if old - links[kind]
        else set()
        for kind, old in (("t", assignments), ("s", enrollments))
    }
    return upserts, (gone_teachers, gone_classes, gone_students), links, unlinked


def delta_files_of(delta, prefix: str) -> dict[str, list[str]]:
    (teachers, classes, students), gone, links, unlinked = delta
    files = files_of((teachers, classes, students, links["t"], links["s"]), prefix)
    files["manifest"] = [line.replace(",bulk", ",delta") for line in files["manifest"]]
    for name, kind, rows in (
        ("users", "t", gone[0]),
        ("classes", "c", gone[1]),
        ("users", "s", gone[2]),
    ):
        files[name] += [f"{kind}-{n},tobedeleted,2024-08-01" for n in sorted(rows)]
    for kind, pairs in unlinked.items():
        files["enrollments"] += [
            f"e-{c}-{kind}-{u},tobedeleted,2024-08-01,c-{c},sch-n,{kind}-{u},,,,"
            for c, u in sorted(pairs)
        ]
    return files


def merged(base, delta):
    """The roster a district holds after ``delta`` on ``base``, as a bulk roster."""
    teachers, classes, students, assignments, enrollments = base
    (new_t, new_c, new_s), (gone_t, gone_c, gone_s), links, unlinked = delta
    keep = lambda rows, gone, new: {k: v for k, v in rows.items() if k not in gone} | new  # noqa: E731
    return (
        keep(teachers, gone_t, new_t),
        keep(classes, gone_c, new_c),
        keep(students, gone_s, new_s),
        frozenset(
            (c, t) for c, t in assignments - unlinked["t"] if c not in gone_c and t not in gone_t
        )
        | links["t"],
        frozenset(
            (c, s) for c, s in enrollments - unlinked["s"] if c not in gone_c and s not in gone_s
        )
        | links["s"],
    )


@EXAMPLES
@given(data=st.data())
def test_a_delta_ends_as_the_roster_it_describes(make_organization, data):
    base = data.draw(rosters(), label="base")
    delta = data.draw(deltas(base), label="delta")
    assert_ends_alike(
        make_organization,
        lambda prefix: files_of(base, prefix),
        lambda prefix: delta_files_of(delta, prefix),
        lambda prefix: files_of(merged(base, delta), prefix),
    )
