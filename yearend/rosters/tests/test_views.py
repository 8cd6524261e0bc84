"""The old roster page sends people to the portal's Syncs page; an outsider is refused.

Holds, approval, discarding and pausing are tested on that page
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
