"""Liveness of what the product needs: the database, the task queue, a scheduler.

Each check returns (ok, detail). Nothing here reads tenant data: /healthz answers without
signing in, so it says only which dependency failed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from yearend.scheduling.models import SchedulerHeartbeat


def database_check() -> tuple[bool, dict]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "not reachable"
        return False, {"error": type(error).__name__}
    return True, {"vendor": connection.vendor}


def queue_check() -> tuple[bool, dict]:
    backend = settings.TASK_BACKEND
    try:
        if backend == "rq":
            import django_rq

            django_rq.get_connection("default").ping()
        elif backend == "database":
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
    except Exception as error:
        return False, {"backend": backend, "error": type(error).__name__}
    return True, {"backend": backend}


def scheduler_check() -> tuple[bool, dict]:
    limit = timedelta(seconds=settings.SCHEDULER_STALE_AFTER_SECONDS)
    try:
        latest = (
            SchedulerHeartbeat.objects.order_by("-last_tick_at")
            .values_list("last_tick_at", flat=True)
            .first()
        )
    except Exception as error:
        return False, {"error": type(error).__name__}
    if latest is None:
        return False, {"error": "no scheduler has ticked yet"}
    age = (timezone.now() - latest).total_seconds()
    return age <= limit.total_seconds(), {"last_tick_seconds_ago": round(age, 1)}


CHECKS = {"database": database_check, "queue": queue_check, "scheduler": scheduler_check}


def health_report() -> tuple[bool, dict]:
    """(all ok, {"status", "failed": [...], "checks": {name: {"ok", ...}}})."""
    checks = {}
    for name, check in CHECKS.items():
        ok, detail = check()
        checks[name] = {"ok": ok, **detail}
    failed = [name for name, result in checks.items() if not result["ok"]]
    return not failed, {"status": "fail" if failed else "ok", "failed": failed, "checks": checks}
