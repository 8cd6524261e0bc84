"""Sync pauses: by hand and by a reset, independent of each other, safe under retries."""

import pytest

from yearend.errors import Conflict
from yearend.rosters.syncs.pausing import (
    ImportStillRunning,
    SyncPaused,
    import_claim,
    import_release,
    sync_pause_for_reset,
    sync_pause_manual,
    sync_pause_reason,
    sync_resume_after_reset,
    sync_resume_manual,
)

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_an_import_runs_when_nothing_is_paused(org):
    token = import_claim(org)
    with pytest.raises(ImportStillRunning):
        import_claim(org)
    import_release(org, token)
    import_release(org, import_claim(org))


def test_a_reset_pause_refuses_imports_and_says_why(org):
    sync_pause_for_reset(organization=org, run_id=7, wait_seconds=0)
    assert sync_pause_reason(org) == "reset"
    with pytest.raises(SyncPaused, match="reset runs"):
        import_claim(org)


def test_pausing_again_for_the_same_run_is_harmless(org):
    sync_pause_for_reset(organization=org, run_id=7, wait_seconds=0)
    sync_pause_for_reset(organization=org, run_id=7, wait_seconds=0)
    with pytest.raises(Conflict):
        sync_pause_for_reset(organization=org, run_id=8, wait_seconds=0)


def test_the_reset_waits_for_a_running_import(org):
    token = import_claim(org)
    with pytest.raises(ImportStillRunning):
        sync_pause_for_reset(organization=org, run_id=7, wait_seconds=0, poll_seconds=0)
    # The pause is in place already: no new import can start meanwhile.
    import_release(org, token)
    with pytest.raises(SyncPaused):
        import_claim(org)
    sync_pause_for_reset(organization=org, run_id=7, wait_seconds=0)


def test_resuming_after_a_reset_keeps_a_manual_pause(org, district_admin):
    sync_pause_manual(organization=org, acting_user=district_admin, note="SIS migration")
    sync_pause_for_reset(organization=org, run_id=3, wait_seconds=0)
    assert sync_resume_after_reset(organization=org, run_id=3)
    assert sync_pause_reason(org) == "manual"
    with pytest.raises(SyncPaused, match="home-da"):
        import_claim(org)
    sync_resume_manual(organization=org, acting_user=district_admin)
    assert sync_pause_reason(org) is None


def test_resume_after_reset_only_lifts_its_own_pause(org):
    sync_pause_for_reset(organization=org, run_id=3, wait_seconds=0)
    assert not sync_resume_after_reset(organization=org, run_id=99)
    assert sync_pause_reason(org) == "reset"


def test_pauses_of_one_organization_leave_others_alone(org, other_org):
    sync_pause_for_reset(organization=org, run_id=3, wait_seconds=0)
    import_release(other_org, import_claim(other_org))
