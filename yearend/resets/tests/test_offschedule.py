"""Off-schedule resets need two operations users: one asks, another approves."""

import threading
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction

from yearend.audit.models import AuditEvent
from yearend.demo.seeding import seed_demo
from yearend.errors import Conflict, Forbidden, InvalidInput
from yearend.people.models import Role
from yearend.resets.models import OffScheduleRequest, RequestStatus, ResetRun, Status
from yearend.resets.offschedule import (
    offschedule_approve,
    offschedule_reject,
    offschedule_request,
)

pytestmark = [pytest.mark.core]
REASON = "District asked to start the new year early"


@pytest.fixture
def home(db):
    return seed_demo(
        organizations=1, students_per_org=8, seed=3, as_of=date(2024, 6, 20)
    ).organizations[0]


@pytest.fixture
def ops_pair(make_user):
    return make_user(Role.OPS, username="ops-a"), make_user(Role.OPS, username="ops-b")


def _actions(organization):
    return list(
        AuditEvent.objects.filter(organization=organization, action__startswith="reset.offschedule")
        .order_by("id")
        .values_list("action", "actor_label")
    )


def test_a_request_starts_nothing_until_a_second_ops_user_approves(
    home, ops_pair, django_capture_on_commit_callbacks
):
    first, second = ops_pair
    request = offschedule_request(organization=home, reason=REASON, acting_user=first)

    assert request.status == RequestStatus.PENDING
    assert not ResetRun.tenant.of(home).exists()

    with django_capture_on_commit_callbacks(execute=True):
        run = offschedule_approve(request=request, acting_user=second)

    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED, run.error
    assert run.started_by == "ops-b"
    assert run.certificate
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.run) == (
        RequestStatus.APPROVED,
        second,
        run,
    )
    assert _actions(home) == [
        ("reset.offschedule.request", "ops-a"),
        ("reset.offschedule.approve", "ops-b"),
    ]


def test_the_requester_cannot_approve_their_own_request(home, ops_pair):
    first, _ = ops_pair
    request = offschedule_request(organization=home, reason=REASON, acting_user=first)

    with pytest.raises(Forbidden, match="second operations user"):
        offschedule_approve(request=request, acting_user=first)

    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert not ResetRun.tenant.of(home).exists()


def test_the_database_refuses_a_self_approval_that_bypasses_the_service(home, ops_pair):
    first, _ = ops_pair
    request = offschedule_request(organization=home, reason=REASON, acting_user=first)

    with pytest.raises(IntegrityError), transaction.atomic():
        OffScheduleRequest.tenant.of(home).filter(pk=request.pk).update(
            status=RequestStatus.APPROVED, decided_by=first, decided_at=request.requested_at
        )


def test_only_operations_may_request_approve_or_reject(home, ops_pair, make_user):
    first, _ = ops_pair
    csm = make_user(Role.CSM, username="csm-x")
    admin = make_user(Role.DISTRICT_ADMIN, home, username="home-admin-x")
    for user in (csm, admin):
        with pytest.raises(Forbidden):
            offschedule_request(organization=home, reason=REASON, acting_user=user)
    request = offschedule_request(organization=home, reason=REASON, acting_user=first)
    with pytest.raises(Forbidden):
        offschedule_approve(request=request, acting_user=csm)
    with pytest.raises(Forbidden):
        offschedule_reject(request=request, acting_user=csm)


def test_a_reason_is_required(home, ops_pair):
    with pytest.raises(InvalidInput, match="reason") as refused:
        offschedule_request(organization=home, reason="  soon ", acting_user=ops_pair[0])
    assert refused.value.field == "reason"


def test_one_open_request_per_organization(home, ops_pair):
    first, second = ops_pair
    offschedule_request(organization=home, reason=REASON, acting_user=first)

    with pytest.raises(Conflict, match="already has an open off-schedule request"):
        offschedule_request(organization=home, reason=REASON, acting_user=second)


def test_a_request_is_decided_once(home, ops_pair, make_user, django_capture_on_commit_callbacks):
    first, second = ops_pair
    third = make_user(Role.OPS, username="ops-c")
    request = offschedule_request(organization=home, reason=REASON, acting_user=first)
    stale = OffScheduleRequest.unscoped.get(pk=request.pk)
    with django_capture_on_commit_callbacks(execute=True):
        offschedule_approve(request=request, acting_user=second)

    with pytest.raises(Conflict, match="already approved by ops-b"):
        offschedule_approve(request=stale, acting_user=third)
    with pytest.raises(Conflict, match="already approved"):
        offschedule_reject(request=stale, acting_user=third)
    assert ResetRun.tenant.of(home).count() == 1


def test_a_rejected_request_runs_nothing_and_a_new_one_may_follow(home, ops_pair):
    first, second = ops_pair
    request = offschedule_request(organization=home, reason=REASON, acting_user=first)

    offschedule_reject(request=request, acting_user=second, note="Not before the board meets")

    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    assert request.decision_note == "Not before the board meets"
    with pytest.raises(Conflict):
        offschedule_approve(request=request, acting_user=second)
    assert not ResetRun.tenant.of(home).exists()
    assert offschedule_request(organization=home, reason=REASON, acting_user=first).pk
    assert ("reset.offschedule.reject", "ops-b") in _actions(home)


def test_no_request_once_the_cycle_has_its_reset(
    home, ops_pair, django_capture_on_commit_callbacks
):
    first, second = ops_pair
    request = offschedule_request(organization=home, reason=REASON, acting_user=first)
    with django_capture_on_commit_callbacks(execute=True):
        offschedule_approve(request=request, acting_user=second)

    with pytest.raises(Conflict, match="a cycle has one reset"):
        offschedule_request(organization=home, reason=REASON, acting_user=first)


def test_approval_rolls_back_when_the_cycle_was_reset_meanwhile(home, ops_pair):
    from yearend.resets.engine import reset_start

    first, second = ops_pair
    request = offschedule_request(organization=home, reason=REASON, acting_user=first)
    reset_start(organization=home)  # the scheduled reset came first

    with pytest.raises(Conflict, match="a cycle has one reset"):
        offschedule_approve(request=request, acting_user=second)

    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING  # still open: someone rejects it
    assert ResetRun.tenant.of(home).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_make_one_run():
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite is one connection; the race needs PostgreSQL")
    from yearend.people.services import user_create

    home = seed_demo(
        organizations=1, students_per_org=8, seed=4, as_of=date(2024, 6, 20)
    ).organizations[0]
    requester, _ = user_create(username="ops-r", role=Role.OPS, password="x-long-password-1")
    approvers = [
        user_create(username=f"ops-{n}", role=Role.OPS, password="x-long-password-1")[0]
        for n in range(4)
    ]
    request = offschedule_request(organization=home, reason=REASON, acting_user=requester)
    barrier = threading.Barrier(len(approvers))
    started, refused, errors = [], [], []

    def approve(user):
        try:
            barrier.wait()
            mine = OffScheduleRequest.unscoped.get(pk=request.pk)
            started.append(offschedule_approve(request=mine, acting_user=user, via="command"))
        except Conflict as error:
            refused.append(error)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(started) == 1 and len(refused) == len(approvers) - 1
    assert ResetRun.tenant.of(home).count() == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.run_id == started[0].pk
    assert AuditEvent.objects.filter(action="reset.offschedule.approve").count() == 1


@pytest.mark.usefixtures("ops_pair")
def test_the_command_requests_approves_and_rejects(home, capsys):
    call_command(
        "reset_offschedule",
        "request",
        "--org",
        home.site_code,
        "--user",
        "ops-a",
        "--reason",
        REASON,
    )
    request = OffScheduleRequest.tenant.of(home).get()
    assert f"request {request.pk}" in capsys.readouterr().out

    with pytest.raises(CommandError, match="second operations user"):
        call_command("reset_offschedule", "approve", str(request.pk), "--user", "ops-a")
    call_command(
        "reset_offschedule",
        "reject",
        str(request.pk),
        "--user",
        "ops-b",
        "--note",
        "wrong district",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    assert AuditEvent.objects.filter(action="reset.offschedule.reject", via="command").exists()


def test_the_command_approves_and_runs(home, ops_pair, capsys):
    request = offschedule_request(organization=home, reason=REASON, acting_user=ops_pair[0])

    call_command("reset_offschedule", "approve", str(request.pk), "--user", "ops-b", "--wait")

    out = capsys.readouterr().out
    run = ResetRun.tenant.of(home).get()
    assert run.status == Status.SUCCEEDED, run.error
    assert f"Run {run.pk}" in out and "succeeded" in out
