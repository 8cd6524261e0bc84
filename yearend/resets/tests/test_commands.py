import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from yearend.audit.actions import AuditAction
from yearend.audit.models import AuditEvent
from yearend.demo.seeding import seed_demo
from yearend.people.models import Student
from yearend.resets.models import ResetRun, Status

pytestmark = [pytest.mark.core, pytest.mark.django_db]


@pytest.fixture
def home(db):
    return seed_demo(
        organizations=2, students_per_org=30, seed=1, as_of=date(2024, 6, 20)
    ).organizations[0]


def _call(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _start_and_wait(organization) -> str:
    """The off-schedule start as operations type it, with the site code confirmed."""
    code = organization.site_code
    return _call("reset_run", "start", "--org", code, "--now", "--confirm", code, "--wait")


def test_preview_prints_what_would_be_deleted_and_kept(home):
    preview = json.loads(_call("reset_preview", "--org", home.site_code, "--json"))

    assert preview["site_code"] == home.site_code
    assert preview["delete"]["students"] == 30
    assert preview["delete"]["classes"] > 0
    assert {"credentials", "sis_links", "tokens", "think_points", "enrollments"} <= set(
        preview["delete"]
    )
    assert preview["retain"]["organization"] == 1
    assert preview["retain"]["schools"] == len(preview["schools"])
    assert sum(s["delete"]["students"] for s in preview["schools"]) == 30
    assert Student.tenant.of(home).count() == 30  # a dry run


def test_start_refuses_a_wrong_confirmation(home):
    with pytest.raises(CommandError, match="does not match"):
        _call("reset_run", "start", "--org", home.site_code, "--now", "--confirm", "WRONG1")

    assert not ResetRun.tenant.of(home).exists()


def test_start_wait_show_and_start_again(home):
    out = _start_and_wait(home)
    assert "succeeded" in out

    shown = json.loads(_call("reset_run", "show", "--org", home.site_code, "--json"))
    assert shown["status"] == "succeeded"
    assert shown["counts"]["students"] == 30
    assert shown["certificate"].endswith(".pdf")

    again = _start_and_wait(home)
    assert "already exists" in again
    assert ResetRun.tenant.of(home).count() == 1


def test_resume_of_an_unknown_run_says_so(home):
    with pytest.raises(CommandError, match="No reset run"):
        _call("reset_run", "resume", "999999")


def test_resume_continues_a_failed_run(home, monkeypatch):
    from yearend.resets import engine

    monkeypatch.setattr(engine, "_step_verify", lambda run: 1 / 0)
    monkeypatch.setitem(engine._STEPS, "verify", engine._step_verify)
    with pytest.raises(CommandError, match="failed at verify"):
        _start_and_wait(home)
    run = ResetRun.tenant.of(home).get()
    assert run.status == Status.FAILED

    monkeypatch.undo()
    out = _call("reset_run", "resume", str(run.pk))

    run.refresh_from_db()
    assert "succeeded" in out
    assert run.status == Status.SUCCEEDED
    assert run.attempts == 2


def test_start_wait_finishes_here_when_no_worker_runs_the_tasks(home, settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "resets", "imports", "reports", "notices"],
        }
    }
    out = _start_and_wait(home)

    assert "succeeded" in out
    assert not Student.tenant.of(home).exists()


@pytest.fixture
def no_workers(settings):
    """Tasks are queued and never run: a started run stays where its claim left it."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "resets", "imports", "reports", "notices"],
        }
    }


def _started_in_background(organization) -> ResetRun:
    code = organization.site_code
    _call("reset_run", "start", "--org", code, "--now", "--confirm", code)
    return ResetRun.tenant.of(organization).get()


def test_resume_refuses_a_run_another_process_is_still_moving(home, no_workers):
    run = _started_in_background(home)
    since = timezone.now() - timedelta(seconds=3)
    ResetRun.unscoped.filter(pk=run.pk).update(
        driver="worker-7:4242", driver_since=since, heartbeat_at=timezone.now()
    )

    with pytest.raises(CommandError) as refused:
        _call("reset_run", "resume", str(run.pk))

    message = str(refused.value)
    assert "worker-7:4242" in message
    assert f"since {since:%Y-%m-%d %H:%M:%S} UTC" in message
    assert "not stalled" in message
    run.refresh_from_db()
    assert (run.status, run.step, run.attempts) == (Status.RUNNING, "pause", 1)
    assert not AuditEvent.objects.filter(action=AuditAction.RESET_RESUME).exists()


def test_resume_drives_a_run_whose_process_went_silent(home, no_workers, settings):
    run = _started_in_background(home)
    silent = timezone.now() - timedelta(seconds=settings.RESET_STALE_AFTER_SECONDS + 1)
    ResetRun.unscoped.filter(pk=run.pk).update(driver="worker-7:4242", heartbeat_at=silent)

    out = _call("reset_run", "resume", str(run.pk))

    run.refresh_from_db()
    assert "succeeded" in out
    assert run.status == Status.SUCCEEDED
    assert run.driver != "worker-7:4242"  # this process took it over and said so
