"""Prometheus metrics read from the database at scrape time.

Nothing is counted in process memory: any web process answers with the same figures, and
a restart loses nothing. Figures cover every organization in aggregate, never one by name.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

from yearend.resets.models import ResetRun, SchoolPurge, Status, Step
from yearend.rosters.models import ImportRun

QUEUES = ["default", "resets", "imports", "reports", "notices"]


def _queue_names() -> list[str]:
    return sorted(settings.TASKS["default"].get("QUEUES") or QUEUES)


def reset_runs_by_state() -> dict[tuple[str, str], int]:
    rows = ResetRun.unscoped.values("status", "step").annotate(n=Count("id"))
    return {(row["status"], row["step"]): row["n"] for row in rows}


def purge_rows_per_second() -> float:
    """Rows per second deleted by the purges in progress: for each run in its purge step,
    the rows its schools deleted since the step began over the time since; summed."""
    now = timezone.now()
    runs = dict(
        ResetRun.unscoped.filter(status=Status.RUNNING, step=Step.PURGE).values_list(
            "pk", "step_started_at"
        )
    )
    if not runs:
        return 0.0
    deleted: dict[int, int] = {}
    for run_id, counts in SchoolPurge.unscoped.filter(run_id__in=runs).values_list(
        "run_id", "deleted"
    ):
        deleted[run_id] = deleted.get(run_id, 0) + sum((counts or {}).values())
    rate = 0.0
    for run_id, began in runs.items():
        elapsed = (now - began).total_seconds() if began else 0
        if elapsed > 0:
            rate += deleted.get(run_id, 0) / elapsed
    return rate


def queue_depth() -> dict[tuple[str, str], int]:
    """(queue, state) -> jobs, for state queued, running and failed."""
    depth: dict[tuple[str, str], int] = {}
    if settings.TASK_BACKEND == "rq":
        import django_rq
        from rq.registry import FailedJobRegistry, StartedJobRegistry

        for name in _queue_names():
            queue = django_rq.get_queue(name)
            depth[(name, "queued")] = queue.count
            depth[(name, "running")] = StartedJobRegistry(queue=queue).count
            depth[(name, "failed")] = FailedJobRegistry(queue=queue).count
    elif settings.TASK_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        states = {"READY": "queued", "RUNNING": "running", "FAILED": "failed"}
        for name in _queue_names():
            for state in states.values():
                depth[(name, state)] = 0
        rows = (
            DBTaskResult.objects.filter(status__in=states)
            .values("queue_name", "status")
            .annotate(n=Count("id"))
        )
        for row in rows:
            depth[(row["queue_name"], states[row["status"]])] = row["n"]
    return depth


def sync_runs_by_status() -> dict[str, int]:
    rows = ImportRun.unscoped.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


class DatabaseCollector:
    """A prometheus_client collector: every figure is one aggregate query at scrape time."""

    def collect(self) -> Iterator[Metric]:
        runs = GaugeMetricFamily(
            "yearend_reset_runs", "Reset runs by status and step", labels=["status", "step"]
        )
        for (status, step), n in sorted(reset_runs_by_state().items()):
            runs.add_metric([status, step], n)
        yield runs

        yield GaugeMetricFamily(
            "yearend_reset_purge_rows_per_second",
            "Rows per second deleted by the purges in progress (all organizations)",
            value=purge_rows_per_second(),
        )

        depth = queue_depth()
        jobs = GaugeMetricFamily(
            "yearend_task_queue_jobs",
            f"Background tasks by queue and state ({settings.TASK_BACKEND} backend)",
            labels=["queue", "state"],
        )
        failures = GaugeMetricFamily(
            "yearend_task_failures", "Failed background tasks kept by the queue", labels=["queue"]
        )
        for (queue, state), n in sorted(depth.items()):
            if state == "failed":
                failures.add_metric([queue], n)
            else:
                jobs.add_metric([queue, state], n)
        yield jobs
        yield failures

        syncs = GaugeMetricFamily(
            "yearend_sync_runs", "Roster sync (import) runs by status", labels=["status"]
        )
        for status, n in sorted(sync_runs_by_status().items()):
            syncs.add_metric([status], n)
        yield syncs


def metrics_text() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
