"""Runs and holds are visible in the Django admin; drop folders are checked on a schedule."""

import pytest

from yearend.rosters.models import ImportRun, SyncSource
from yearend.rosters.services import roster_import, sync_sources_check_all
from yearend.rosters.tests.bundles import roster_files, write_bundle
from yearend.scheduling.periodic import _REGISTRY

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_runs_and_holds_show_in_the_admin(admin_client, org, tmp_path):
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(20)))
    roster_import(organization=org, path=write_bundle(tmp_path / "b", roster_files(5)))
    for name in ("importrun", "heldimport", "syncsource", "importsettings", "syncstate"):
        response = admin_client.get(f"/admin/rosters/{name}/")
        assert response.status_code == 200, name
    assert b"Held for review" in admin_client.get("/admin/rosters/importrun/").content


def test_the_sync_job_is_registered_and_checks_every_source(org, other_org, tmp_path):
    import yearend.rosters.jobs  # noqa: F401

    assert "rosters.check_sync_sources" in _REGISTRY
    write_bundle(tmp_path / "one", roster_files(3))
    SyncSource.unscoped.create(organization=org, folder=str(tmp_path / "one"))
    SyncSource.unscoped.create(organization=other_org, folder=str(tmp_path / "missing"))
    assert sync_sources_check_all() == 2
    assert ImportRun.tenant.of(org).get().status == ImportRun.Status.APPLIED
    assert not ImportRun.tenant.of(other_org).exists()
