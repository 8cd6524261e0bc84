"""Addresses that moved into the portal still answer: each old address sends people to
the page that shows the same thing now, and an outsider is refused (404), not redirected.

Holds, approval, discarding and pausing are tested on the Syncs page
(yearend/portal/tests/test_syncs_and_educators.py).
"""

import pytest

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_the_old_roster_page_points_to_the_syncs_page(client, district_admin, org):
    client.force_login(district_admin)
    response = client.get(f"/rosters/{org.site_code}/")

    assert response.status_code == 301
    assert response["Location"] == f"/org/{org.site_code}/syncs/"


def test_an_outsider_is_refused(client, outsider, org):
    client.force_login(outsider)
    assert client.get(f"/rosters/{org.site_code}/").status_code == 404


def test_old_progress_report_links_keep_their_selection(client, district_admin, outsider, org):
    client.force_login(district_admin)
    response = client.get(f"/reports/{org.site_code}/progress.pdf", {"school": 7})
    assert response.status_code == 301
    assert response["Location"] == f"/org/{org.site_code}/data/progress.pdf?school=7"
    client.force_login(outsider)
    assert client.get(f"/reports/{org.site_code}/progress.pdf").status_code == 404


def test_old_reset_pages_lead_each_role_to_its_page(client, district_admin, ops, outsider, org):
    client.force_login(district_admin)
    assert client.get("/resets/")["Location"] == "/"
    page = client.get(f"/resets/{org.site_code}/")
    assert page.status_code == 301
    assert page["Location"] == f"/org/{org.site_code}/what-will-happen/"
    assert "no-cache" in page["Cache-Control"]  # another role is sent elsewhere
    client.force_login(ops)
    assert client.get("/resets/")["Location"] == "/vendor/resets/"
    assert client.get(f"/resets/{org.site_code}/")["Location"] == f"/vendor/resets/{org.site_code}/"
    client.force_login(outsider)
    for path in ("/resets/{}/", "/resets/{}/start/", "/resets/{}/certificate.pdf"):
        assert client.get(path.format(org.site_code)).status_code == 404, path
