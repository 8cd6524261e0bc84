"""Real fixtures from another project: a clean import with notices, or a precise refusal."""

from pathlib import Path

import pytest

from yearend.classes.models import Enrollment, SchoolClass
from yearend.people.models import Student
from yearend.rosters.models import ImportRun
from yearend.rosters.services import roster_import

pytestmark = [pytest.mark.core, pytest.mark.django_db]

PUBLIC = Path(__file__).resolve().parents[4] / "shared" / "data" / "oneroster-public"


def test_the_1_2_delta_bundle_imports_with_notices(org):
    run = roster_import(organization=org, path=PUBLIC / "oneroster_test_data")
    assert run.status == ImportRun.Status.APPLIED, run.errors
    bruce = Student.tenant.of(org).get(sis_sourced_id="USER_0")
    assert (bruce.username, bruce.first_name, bruce.school.name) == (
        "brucewayne",
        "Bruce",
        "Gotham High School",
    )
    assert SchoolClass.tenant.of(org).get().name == "Basic Detection"
    assert Enrollment.tenant.of(org).count() == 1
    assert "courses.csv: not used by this importer, ignored" in run.notices
    assert any("grades: empty" in n for n in run.notices)
    assert run.school_year == "2023"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Test_full_data_set", "classes.csv:2: schoolSourcedId: 'org-sch-222-456' is a department"),
        ("Test_minimal_data_set", "classes.csv:3: schoolSourcedId: 'org-sch-222-456' is a depart"),
        ("v1p2_full_dataset", "users.csv:3: orgSourcedIds: a student needs a school"),
    ],
)
def test_bundles_whose_classes_hang_off_a_department_are_refused_precisely(org, name, expected):
    run = roster_import(organization=org, path=PUBLIC / name)
    assert run.status == ImportRun.Status.REFUSED
    assert any(e.startswith(expected) for e in run.errors), run.errors
    assert not Student.tenant.of(org).exists()
    assert not SchoolClass.tenant.of(org).exists()


def test_misspelled_headers_and_non_iso_dates_are_noticed(org):
    run = roster_import(organization=org, path=PUBLIC / "v1p2_full_dataset", dry_run=True)
    assert "users.csv:1: prefferedGivenName: read as preferredGivenName (misspelled header)" in (
        run.notices
    )
    assert "users.csv:2: dateLastModified: '1/05/2023' is not an ISO 8601 date" in run.notices
