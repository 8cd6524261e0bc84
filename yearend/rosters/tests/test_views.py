"""The roster page: a district administrator reviews holds; an outsider is refused."""

import pytest

from yearend.people.models import Student
from yearend.rosters.models import HeldImport
from yearend.rosters.pausing import sync_pause_reason
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import roster_files, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def held(org, tmp_path):
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(20)))
    roster_import(organization=org, path=write_bundle(tmp_path / "b", roster_files(5)))
    return HeldImport.tenant.of(org).get()


def test_it_shows_the_preview_and_applies_on_approval(client, district_admin, org, held):
    client.force_login(district_admin)
    page = client.get(f"/rosters/{org.site_code}/")
    assert page.status_code == 200
    assert b"would remove 15 of 20 students" in page.content
    assert b"student19" in page.content  # a name from the preview
    response = client.post(f"/rosters/{org.site_code}/holds/{held.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.decision == "approved"
    assert Student.tenant.of(org).count() == 5


def test_it_discards(client, district_admin, org, held):
    client.force_login(district_admin)
    client.post(f"/rosters/{org.site_code}/holds/{held.pk}/", {"decision": "discard"})
    held.refresh_from_db()
    assert held.decision == "discarded"
    assert Student.tenant.of(org).count() == 20


def test_it_pauses_and_resumes(client, district_admin, org):
    client.force_login(district_admin)
    client.post(f"/rosters/{org.site_code}/pause/", {"action": "pause"})
    assert sync_pause_reason(org) == "manual"
    client.post(f"/rosters/{org.site_code}/pause/", {"action": "resume"})
    assert sync_pause_reason(org) is None


def test_an_outsider_is_refused(client, outsider, org, held):
    client.force_login(outsider)
    assert client.get(f"/rosters/{org.site_code}/").status_code == 404
    response = client.post(f"/rosters/{org.site_code}/holds/{held.pk}/", {"decision": "approve"})
    assert response.status_code == 404
    held.refresh_from_db()
    assert held.decision == "pending"
    assert client.post(f"/rosters/{org.site_code}/pause/").status_code == 404
    assert sync_pause_reason(org) is None
