"""The vendor reset pages (moved from /resets/): the preview, the latest run and an
off-schedule request; old addresses lead each role to its page."""

from datetime import date

import pytest

from yearend.audit.models import AuditEvent
from yearend.demo.seeding import seed_demo
from yearend.errors import Forbidden
from yearend.people.models import Role, Student
from yearend.resets.models import OffScheduleRequest, ResetRun, Status
from yearend.resets.offschedule import offschedule_approve

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def demo(db, make_user):
    home, away = seed_demo(
        organizations=2, students_per_org=10, seed=1, as_of=date(2024, 6, 20)
    ).organizations
    return {
        "home": home,
        "away": away,
        "ops": make_user(Role.OPS, username="ops-1"),
        "second_ops": make_user(Role.OPS, username="ops-2"),
        "home_admin": make_user(Role.DISTRICT_ADMIN, home, username="home-admin"),
        "away_admin": make_user(Role.DISTRICT_ADMIN, away, username="away-admin"),
    }


def _page(site_code: str, action: str = "") -> str:
    return f"/vendor/resets/{site_code}/{action}"


def test_it_shows_the_preview_to_vendor_staff(client, demo):
    client.force_login(demo["ops"])
    response = client.get(_page(demo["home"].site_code))

    assert response.status_code == 200
    assert b"What a reset deletes now" in response.content
    assert b"Request an off-schedule reset" in response.content


def test_the_old_address_shows_the_district_admin_what_the_reset_will_do(client, demo):
    client.force_login(demo["home_admin"])
    response = client.get(f"/resets/{demo['home'].site_code}/", follow=True)

    assert response.status_code == 200
    assert b"What the reset will do" in response.content
    assert b"Request an off-schedule reset" not in response.content
    # The vendor page is not theirs.
    assert client.get(_page(demo["home"].site_code)).status_code == 404


def test_an_outsider_gets_404(client, demo):
    client.force_login(demo["away_admin"])
    site = demo["home"].site_code

    assert client.get(f"/resets/{site}/").status_code == 404
    assert client.post(f"/resets/{site}/start/", {}).status_code == 404
    assert client.get(f"/resets/{site}/certificate.pdf").status_code == 404
    assert client.get(_page(site)).status_code == 404
    assert client.post(_page(site, "request/"), {}).status_code == 404


def test_a_district_admin_cannot_start(client, demo):
    client.force_login(demo["home_admin"])
    site = demo["home"].site_code
    for path in (f"/resets/{site}/start/", _page(site, "request/")):
        response = client.post(path, {"confirm": site})
        assert response.status_code == 404, path
    assert not ResetRun.tenant.of(demo["home"]).exists()
    assert not OffScheduleRequest.tenant.of(demo["home"]).exists()


def test_ops_must_type_the_site_code(client, demo):
    client.force_login(demo["ops"])
    response = client.post(_page(demo["home"].site_code, "request/"), {"confirm": "nope"})

    assert response.status_code == 302
    assert not ResetRun.tenant.of(demo["home"]).exists()
    assert not OffScheduleRequest.tenant.of(demo["home"]).exists()


def test_ops_request_waits_for_a_second_approver_then_the_certificate_shows(
    client, demo, django_capture_on_commit_callbacks
):
    client.force_login(demo["ops"])
    response = client.post(
        _page(demo["home"].site_code, "request/"),
        {"confirm": demo["home"].site_code, "reason": "District asked for a mid-year restart"},
    )

    assert response.status_code == 302
    assert not ResetRun.tenant.of(demo["home"]).exists()  # one person cannot start it
    request = OffScheduleRequest.tenant.of(demo["home"]).get()
    with pytest.raises(Forbidden):
        offschedule_approve(request=request, acting_user=demo["ops"])

    with django_capture_on_commit_callbacks(execute=True):
        offschedule_approve(request=request, acting_user=demo["second_ops"])

    run = ResetRun.tenant.of(demo["home"]).get()
    assert run.status == Status.SUCCEEDED
    assert not Student.tenant.of(demo["home"]).exists()
    assert Student.tenant.of(demo["away"]).count() == 10
    # The reset-completed email of old linked here: it leads to the run's certificate.
    pdf = client.get(f"/resets/{demo['home'].site_code}/certificate.pdf", follow=True)
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    assert AuditEvent.objects.filter(
        action="reset.certificate_downloaded", actor=demo["ops"], via="portal"
    ).exists()
    assert client.get("/vendor/resets/").status_code == 200
    assert client.get("/resets/", follow=True).status_code == 200
