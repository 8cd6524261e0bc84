"""The school year of the latest roster, for the reset engine and reports (DESIGN rule 13)."""

import pytest

from yearend.rosters.selectors import latest_roster_school_year, roster_is_for_school_year
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import roster_files, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_it_knows_which_school_year_the_latest_roster_is_for(org, other_org, tmp_path):
    assert latest_roster_school_year(org) is None
    assert not roster_is_for_school_year(org, 2025)
    roster_import(organization=org, path=write_bundle(tmp_path / "b", roster_files()))
    assert latest_roster_school_year(org) == "2025"
    assert roster_is_for_school_year(org, "2024-2025")
    assert roster_is_for_school_year(org, 2025)
    assert not roster_is_for_school_year(org, "2025-2026")
    assert latest_roster_school_year(other_org) is None


def test_a_dry_run_does_not_count(org, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files())
    roster_import(organization=org, path=path, dry_run=True)
    assert latest_roster_school_year(org) is None
