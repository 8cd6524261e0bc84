"""The vendor pages through Django's test client: who gets in, what each write does."""

from datetime import date

import pytest
from django.test import Client

from yearend.audit.models import AuditEvent
from yearend.organizations.models import Organization
from yearend.resetdates.models import OrganizationResetDate, ResetDateChange
from yearend.resets.engine import reset_advance, reset_start
from yearend.resets.models import OffScheduleRequest, RequestStatus, ResetRun, Status
from yearend.resets.offschedule import offschedule_request

pytestmark = [pytest.mark.core, pytest.mark.django_db]

PAGES = [
    "/vendor/",
    "/vendor/organizations/",
    "/vendor/organizations/{home}/",
    "/vendor/cycles/",
    "/vendor/load/",
    "/vendor/runs/",
    "/vendor/runs/?state=failed",
]
REASON = "District asked to start the new year early"


def _failed_run(organization, monkeypatch):
    from yearend.resets import engine

    def broken(run):
        raise RuntimeError("disk full")

    monkeypatch.setitem(engine._STEPS, "snapshot", broken)
    run, _ = reset_start(organization=organization)
    run = reset_advance(run.pk, inline=True)
    monkeypatch.undo()
    assert run.status == Status.FAILED
    return run


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("url", PAGES)
def test_vendor_staff_read_every_page(client, demo, url):
    url = url.format(home=demo["home"].site_code)
    for user in (demo["csm"], demo["ops"]):
        client.force_login(user)
        assert client.get(url).status_code == 200, (user.role, url)


@pytest.mark.parametrize("url", [*PAGES, "/vendor/offschedule/"])
def test_everyone_else_gets_404_and_anonymous_signs_in(client, demo, url):
    url = url.format(home=demo["home"].site_code)
    assert client.get(url).status_code == 302
    client.force_login(demo["admin"])
    assert client.get(url).status_code == 404


def test_a_csm_has_no_operations_actions(client, demo, monkeypatch):
    run = _failed_run(demo["home"], monkeypatch)
    request = offschedule_request(organization=demo["away"], reason=REASON, acting_user=demo["ops"])
    client.force_login(demo["csm"])

    assert client.get("/vendor/offschedule/").status_code == 404
    assert (
        client.post("/vendor/offschedule/", {"site_code": "X", "reason": REASON}).status_code == 404
    )
    assert client.post(f"/vendor/offschedule/{request.pk}/approve/").status_code == 404
    assert client.post(f"/vendor/offschedule/{request.pk}/reject/").status_code == 404
    assert client.post(f"/vendor/runs/{run.pk}/resume/").status_code == 404
    page = client.get(f"/vendor/runs/{run.pk}/")
    assert b"disk full" in page.content and b"Resume from" not in page.content
    run.refresh_from_db()
    assert run.status == Status.FAILED


def test_operations_cannot_set_dates_or_assign(client, demo, future_cycle):
    client.force_login(demo["ops"])
    url = f"/vendor/organizations/{demo['home'].site_code}/"
    day = date(future_cycle.year, 7, 20)

    response = client.post(url, {"cycle": future_cycle.year, "new_date": day, "reason": REASON})

    assert response.status_code == 404
    assert (
        client.post("/vendor/cycles/assign/", {"assign-year": future_cycle.year}).status_code == 404
    )
    assert not OrganizationResetDate.tenant.of(demo["home"]).filter(cycle=future_cycle).exists()


def test_forms_need_the_csrf_token(demo, future_cycle):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["csm"])
    response = client.post(
        f"/vendor/organizations/{demo['home'].site_code}/",
        {"cycle": future_cycle.year, "new_date": date(future_cycle.year, 7, 20), "reason": REASON},
    )
    assert response.status_code == 403
    client.force_login(demo["ops"])
    assert client.post("/vendor/offschedule/", {"site_code": "X"}).status_code == 403


# --------------------------------------------------------------------------- CSM


def test_the_list_filters_by_country_state_zone_and_date(client, demo, make_organization):
    make_organization("CANADA1", country="CA", subdivision="ON", time_zone="America/Toronto")
    client.force_login(demo["csm"])

    def codes(**params):
        response = client.get("/vendor/organizations/", {"cycle": 2024, **params})
        assert response.status_code == 200
        return [o.site_code for o in response.context["page"]]

    assert codes(country="CA") == ["CANADA1"]
    assert codes(subdivision="ON") == ["CANADA1"]
    assert codes(time_zone="America/Toronto") == ["CANADA1"]
    assert "CANADA1" in codes(state="no_date")
    assert "CANADA1" not in codes(state="scheduled")
    dated = OrganizationResetDate.tenant.of(demo["home"]).get(cycle__year=2024).reset_date
    assert demo["home"].site_code in codes(date_from=dated, date_to=dated)
    assert codes(date_from=date(2024, 1, 1), date_to=date(2024, 1, 2)) == []
    assert codes(search="canada") == ["CANADA1"]


def test_the_list_is_one_query_however_many_organizations(
    client, demo, django_assert_max_num_queries
):
    client.force_login(demo["csm"])
    client.get("/vendor/organizations/?cycle=2024")  # warm the session
    Organization.objects.bulk_create(
        Organization(site_code=f"BULK{n:03d}", name=f"Bulk {n}", time_zone="UTC", country="US")
        for n in range(120)
    )
    # session, user, cycles, choices (3), cycle, count, page: the same with 3 or 120 rows
    with django_assert_max_num_queries(12):
        response = client.get("/vendor/organizations/?cycle=2024&country=US")
    assert response.context["page"].paginator.count == 122
    assert len(response.context["page"].object_list) == 50


def test_the_list_shows_a_run_and_its_state(client, demo, monkeypatch):
    _failed_run(demo["home"], monkeypatch)
    client.force_login(demo["csm"])

    response = client.get("/vendor/organizations/", {"cycle": 2024, "state": "failed"})

    assert [o.site_code for o in response.context["page"]] == [demo["home"].site_code]


def test_a_csm_sets_a_date_outside_the_window_with_a_reason(client, demo, future_cycle):
    client.force_login(demo["csm"])
    day = date(future_cycle.year, 11, 3)  # outside Jun 1 - Oct 1

    response = client.post(
        f"/vendor/organizations/{demo['home'].site_code}/",
        {"cycle": future_cycle.year, "new_date": day.isoformat(), "reason": REASON},
    )

    assert response.status_code == 302
    record = OrganizationResetDate.tenant.of(demo["home"]).get(cycle=future_cycle)
    assert (record.reset_date, record.source) == (day, "csm")
    change = ResetDateChange.tenant.of(demo["home"]).get(cycle=future_cycle)
    assert change.reason == REASON and change.changed_by == demo["csm"]
    event = AuditEvent.objects.get(action="resetdates.date_set", organization=demo["home"])
    assert event.via == "portal" and event.details["outside_window"] is True
    page = client.get(response["Location"])
    assert REASON.encode() in page.content


def test_a_csm_without_a_reason_sees_the_refusal_beside_the_field(client, demo, future_cycle):
    client.force_login(demo["csm"])

    response = client.post(
        f"/vendor/organizations/{demo['home'].site_code}/",
        {"cycle": future_cycle.year, "new_date": date(future_cycle.year, 7, 20), "reason": ""},
    )

    assert response.status_code == 400
    assert response.context["errors"] == {
        "reason": "A customer-success manager must give a reason for the change."
    }
    assert b'id="reason_error"' in response.content
    assert not OrganizationResetDate.tenant.of(demo["home"]).filter(cycle=future_cycle).exists()


def test_a_past_date_is_refused_beside_the_date(client, demo, future_cycle):
    client.force_login(demo["csm"])
    response = client.post(
        f"/vendor/organizations/{demo['home'].site_code}/",
        {"cycle": 2024, "new_date": "2024-07-20", "reason": REASON},
    )
    assert response.status_code == 400
    assert list(response.context["errors"]) == ["new_date"]
    assert b'id="new_date_error"' in response.content


def test_a_csm_adds_a_cycle_and_assigns_defaults_after_confirming(client, demo):
    client.force_login(demo["csm"])
    year = 2031
    response = client.post(
        "/vendor/cycles/",
        {"create-year": year, "create-defaults": f"{year}-07-15,{year}-08-05"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="resetdates.cycle_create", actor=demo["csm"]).exists()

    confirm = client.post("/vendor/cycles/assign/", {"assign-year": year})
    assert confirm.status_code == 200
    assert confirm.context["without_date"] == 2
    assert not OrganizationResetDate.unscoped.filter(cycle__year=year).exists()

    result = client.post("/vendor/cycles/assign/", {"assign-year": year, "confirm": "yes"})
    assert result.status_code == 200
    assert result.context["result"].assigned == 2
    assert b"2</strong> organizations got a date" in result.content
    assert OrganizationResetDate.unscoped.filter(cycle__year=year).count() == 2
    assert AuditEvent.objects.filter(action="resetdates.assign_defaults", via="portal").exists()


def test_an_invalid_cycle_is_refused_beside_its_field(client, demo):
    client.force_login(demo["csm"])
    response = client.post(
        "/vendor/cycles/", {"create-year": 2031, "create-defaults": "2031-12-15"}
    )
    assert response.status_code == 400
    assert "outside the window" in response.context["errors"]["defaults"]


def test_the_load_chart_counts_organizations_and_students_per_day(client, demo):
    client.force_login(demo["csm"])
    response = client.get("/vendor/load/?cycle=2024")
    days = response.context["days"]
    assert sum(d.organizations for d in days) == 2
    assert sum(d.students for d in days) == 12
    assert b"<svg" in response.content and b"<table" in response.content


# --------------------------------------------------------------------------- operations


def test_runs_filter_by_state(client, demo, monkeypatch):
    failed = _failed_run(demo["home"], monkeypatch)
    done, _ = reset_start(organization=demo["away"])
    reset_advance(done.pk, inline=True)
    client.force_login(demo["ops"])

    def ids(state):
        return [r.pk for r in client.get("/vendor/runs/", {"state": state}).context["page"]]

    assert ids("failed") == [failed.pk]
    assert ids("done") == [done.pk]
    assert ids("running") == []
    assert b"disk full" in client.get("/vendor/runs/?state=failed").content


def test_the_run_page_shows_steps_schools_and_the_certificate(client, demo):
    run, _ = reset_start(organization=demo["home"])
    run = reset_advance(run.pk, inline=True)
    client.force_login(demo["ops"])

    page = client.get(f"/vendor/runs/{run.pk}/")

    assert page.status_code == 200
    assert [s["state"] for s in page.context["steps"]] == ["done"] * 8
    assert all(s.done for s in page.context["schools"])
    assert b"hx-trigger" not in page.content  # finished: no more polling
    pdf = client.get(f"/vendor/runs/{run.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get(f"/vendor/runs/{run.pk}/certificate.txt").status_code == 404


def test_a_running_run_polls_its_progress(client, demo):
    run, _ = reset_start(organization=demo["home"])
    client.force_login(demo["ops"])

    page = client.get(f"/vendor/runs/{run.pk}/")
    assert f'hx-get="/vendor/runs/{run.pk}/progress/"'.encode() in page.content
    partial = client.get(f"/vendor/runs/{run.pk}/progress/", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b"<html" not in partial.content
    assert b"Running" in partial.content
    assert client.get(f"/vendor/runs/{run.pk}/progress/").status_code == 302
    assert client.get("/vendor/runs/999999/").status_code == 404


def test_ops_resume_a_failed_run(client, demo, monkeypatch, django_capture_on_commit_callbacks):
    run = _failed_run(demo["home"], monkeypatch)
    client.force_login(demo["ops"])

    # The request only hands the run to a worker; the worker (run here) finishes it.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/vendor/runs/{run.pk}/resume/")

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED, run.error
    assert AuditEvent.objects.filter(
        action="reset.resume", actor=demo["ops"], via="portal"
    ).exists()
    again = client.post(f"/vendor/runs/{run.pk}/resume/", follow=True)
    assert b"already succeeded" in again.content


def test_an_off_schedule_reset_needs_a_second_ops_user(
    client, demo, django_capture_on_commit_callbacks
):
    home = demo["home"]
    client.force_login(demo["ops"])
    response = client.post("/vendor/offschedule/", {"site_code": home.site_code, "reason": REASON})
    assert response.status_code == 302
    request = OffScheduleRequest.tenant.of(home).get()
    assert AuditEvent.objects.filter(action="reset.offschedule.request", via="portal").exists()

    page = client.get("/vendor/offschedule/")
    assert b"you cannot approve your own request" in page.content
    refused = client.post(f"/vendor/offschedule/{request.pk}/approve/", follow=True)
    assert b"a second operations user must approve it" in refused.content
    assert not ResetRun.tenant.of(home).exists()

    client.force_login(demo["ops2"])
    assert b"Approve and reset" in client.get("/vendor/offschedule/").content
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(f"/vendor/offschedule/{request.pk}/approve/")
    run = ResetRun.tenant.of(home).get()
    assert approved["Location"] == f"/vendor/runs/{run.pk}/"
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED, run.error
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.run == run
    assert AuditEvent.objects.filter(
        action="reset.offschedule.approve", actor=demo["ops2"]
    ).exists()


def test_request_refusals_show_beside_the_field(client, demo):
    client.force_login(demo["ops"])
    short = client.post(
        "/vendor/offschedule/", {"site_code": demo["home"].site_code, "reason": "now"}
    )
    assert short.status_code == 400 and "reason" in short.context["errors"]
    unknown = client.post("/vendor/offschedule/", {"site_code": "NOPE", "reason": REASON})
    assert unknown.status_code == 400 and "site_code" in unknown.context["errors"]
    assert not OffScheduleRequest.tenant.of(demo["home"]).exists()


def test_an_ops_user_rejects_a_request(client, demo):
    request = offschedule_request(organization=demo["home"], reason=REASON, acting_user=demo["ops"])
    client.force_login(demo["ops2"])

    response = client.post(f"/vendor/offschedule/{request.pk}/reject/", {"note": "board first"})

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (RequestStatus.REJECTED, "board first")
    assert AuditEvent.objects.filter(action="reset.offschedule.reject", via="portal").exists()
    assert not ResetRun.tenant.of(demo["home"]).exists()
    assert client.post("/vendor/offschedule/999999/approve/").status_code == 404


def test_the_demo_gets_a_second_operations_login(make_user):
    from yearend.people.models import Role, User
    from yearend.portal.vendor import demo_setup

    demo_setup.prepare()
    assert not User.objects.filter(username="demo-ops-2").exists()  # no demo seeded yet
    make_user(Role.OPS, username="demo-ops")
    demo_setup.prepare()
    demo_setup.prepare()
    assert User.objects.get(username="demo-ops-2").role == Role.OPS
