"""Every portal page: who may open it, and an outsider always gets a 404."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.core, pytest.mark.django_db]

# (url name, extra kwargs, method): every page and action of the portal that names an org.
PAGES = [
    ("portal:organization", {}, "get"),
    ("portal:date", {}, "get"),
    ("portal:date", {}, "post"),
    ("portal:school-days", {}, "post"),
    ("portal:preview", {}, "get"),
    ("portal:data", {}, "get"),
    ("portal:export-start", {}, "post"),
    ("portal:export-job", {"job_id": 1}, "get"),
    ("portal:progress-reports", {}, "get"),
    ("portal:syncs", {}, "get"),
    ("portal:syncs-pause", {}, "post"),
    ("portal:hold-decide", {"hold_id": 1}, "post"),
    ("portal:educators", {}, "get"),
    ("portal:educators-remove", {}, "post"),
    ("portal:reset", {}, "get"),
    ("portal:reset-progress", {}, "get"),
    ("portal:run-certificate", {"run_id": 1, "kind": "pdf"}, "get"),
]
# Pages only the organization's managers (district administrators, vendor staff) open.
MANAGER_ONLY = {
    "portal:date",
    "portal:preview",
    "portal:syncs",
    "portal:syncs-pause",
    "portal:hold-decide",
    "portal:educators",
    "portal:educators-remove",
    "portal:reset",
    "portal:reset-progress",
    "portal:run-certificate",
}


def _call(client, name, kwargs, method):
    url = reverse(name, kwargs={"site_code": "HOME01", **kwargs})
    return getattr(client, method)(url)


@pytest.mark.parametrize(("name", "kwargs", "method"), PAGES)
def test_an_outsider_gets_404_on_every_page(client, org, dated, outsider, name, kwargs, method):
    client.force_login(outsider)
    response = _call(client, name, kwargs, method)
    assert response.status_code == 404, name
    assert b"Home District" not in response.content


@pytest.mark.parametrize(("name", "kwargs", "method"), PAGES)
def test_strangers_are_sent_to_sign_in(client, org, name, kwargs, method):
    response = _call(client, name, kwargs, method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(MANAGER_ONLY - {"portal:run-certificate"}))
def test_teachers_and_school_admins_do_not_get_manager_pages(
    client, org, dated, teacher, school_admin, name
):
    for user in (teacher, school_admin):
        client.force_login(user)
        method = "post" if any(p[0] == name and p[2] == "post" for p in PAGES) else "get"
        kwargs = {"hold_id": 1} if name == "portal:hold-decide" else {}
        assert _call(client, name, kwargs, method).status_code == 404, (user.role, name)


@pytest.mark.parametrize(
    "name",
    [
        "portal:organization",
        "portal:date",
        "portal:preview",
        "portal:data",
        "portal:syncs",
        "portal:educators",
        "portal:reset",
    ],
)
def test_the_district_admin_opens_every_page(client, org, dated, district_admin, name):
    client.force_login(district_admin)
    response = client.get(reverse(name, args=["HOME01"]))
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content or name in {
        "portal:preview",
        "portal:reset",
    }


def test_vendor_staff_read_the_manager_pages_but_not_the_date_page(client, org, dated, csm):
    client.force_login(csm)
    for name in ("portal:organization", "portal:preview", "portal:syncs", "portal:reset"):
        assert client.get(reverse(name, args=["HOME01"])).status_code == 200, name
    # CSMs set dates (with a reason) on their own pages; this one is the district's.
    assert client.get(reverse("portal:date", args=["HOME01"])).status_code == 404


def test_every_form_carries_a_csrf_token_and_posts_without_it_are_refused(
    org, dated, district_admin
):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(district_admin)
    response = strict.post(reverse("portal:syncs-pause", args=["HOME01"]), {"action": "pause"})
    assert response.status_code == 403
