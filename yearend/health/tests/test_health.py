from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from yearend.organizations.models import School
from yearend.resets.models import ResetRun, SchoolPurge, Status, Step
from yearend.scheduling.models import SchedulerHeartbeat

# Only this app's routes: the tests do not depend on other apps' URLs loading.
pytestmark = [pytest.mark.core, pytest.mark.django_db, pytest.mark.urls("yearend.health.urls")]


@pytest.fixture
def scheduler_alive(db):
    return SchedulerHeartbeat.objects.create(name="host:1", last_tick_at=timezone.now())


def test_healthz_is_ok_when_database_queue_and_scheduler_are(client, scheduler_alive):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"database", "queue", "scheduler"}


def test_healthz_names_a_silent_scheduler(client, scheduler_alive, settings):
    scheduler_alive.last_tick_at = timezone.now() - timedelta(
        seconds=settings.SCHEDULER_STALE_AFTER_SECONDS + 1
    )
    scheduler_alive.save()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["scheduler"]


def test_healthz_names_an_unreachable_queue(client, scheduler_alive, settings):
    settings.TASK_BACKEND = "rq"
    with mock.patch("django_rq.get_connection", side_effect=ConnectionError("refused")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["queue"]
    assert response.json()["checks"]["queue"]["error"] == "ConnectionError"


def test_healthz_names_an_unreachable_database(client, scheduler_alive):
    with mock.patch("yearend.health.checks.connection.cursor", side_effect=RuntimeError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert "database" in response.json()["failed"]


def test_healthz_tells_nothing_about_tenants(client, scheduler_alive, org):
    text = client.get("/healthz").content.decode()

    assert org.site_code not in text and org.name not in text


def _metric(text: str, prefix: str) -> float:
    lines = [line for line in text.splitlines() if line.startswith(prefix)]
    assert lines, f"{prefix} missing from:\n{text}"
    return float(lines[0].rsplit(" ", 1)[1])


def test_metrics_count_resets_syncs_and_queues(client, org):
    from yearend.resetdates.models import ResetCycle
    from yearend.rosters.models import ImportRun

    now = timezone.now()
    run = ResetRun.unscoped.create(
        organization=org,
        cycle=ResetCycle.objects.get(year=2024),
        step=Step.PURGE,
        started_at=now,
        step_started_at=now - timedelta(seconds=10),
    )
    school = School.unscoped.create(organization=org, name="S", sis_sourced_id="S")
    SchoolPurge.unscoped.create(organization=org, run=run, school=school, deleted={"students": 500})
    ImportRun.unscoped.create(
        organization=org, status=ImportRun.Status.RUNNING, source="upload", started_at=now
    )

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert _metric(text, 'yearend_reset_runs{status="running",step="purge"}') == 1
    assert 40 <= _metric(text, "yearend_reset_purge_rows_per_second") <= 50
    assert _metric(text, 'yearend_sync_runs{status="running"}') == 1
    assert "yearend_task_failures" in text
    assert org.site_code not in text
    assert run.status == Status.RUNNING


def test_metrics_need_the_bearer_token_when_one_is_set(client, settings):
    settings.METRICS_TOKEN = "s3cret"

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200


def test_metrics_read_the_database_queue(client, settings):
    from yearend.reports.services import run_export_job

    settings.TASK_BACKEND = "database"
    with mock.patch("yearend.health.metrics.settings") as fake:
        fake.TASK_BACKEND = "database"
        fake.TASKS = {"default": {"QUEUES": ["default", "resets"]}}
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.create(
            status="READY",
            queue_name="resets",
            task_path="yearend.reports.services.run_export_job",
            args_kwargs={"args": [1], "kwargs": {}},
            backend_name="default",
            priority=0,
            run_after=timezone.now(),
            exception_class_path="",
        )
        text = client.get("/metrics").content.decode()
    assert _metric(text, 'yearend_task_queue_jobs{queue="resets",state="queued"}') == 1
    assert run_export_job is not None
