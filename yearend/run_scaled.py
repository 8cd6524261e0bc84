"""`make run-scaled`: the scale-out stack on one machine, in the foreground.

The same code as `make run`, configured as production is: PostgreSQL, the django-tasks
RQ backend on Redis, the web app under gunicorn (WEB_PROCESSES x WEB_THREADS, default
2 x 8), WORKERS RQ workers (default 2) listening on every queue, and one scheduler. It
creates and migrates the database, loads demo data when it is empty, prints the logins
and URLs, and stops everything on Ctrl-C. Environment (all optional):

SCALED_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/yer_scale_stack
REDIS_URL            default redis://127.0.0.1:6379/1 (queues)
CACHE_URL            default redis://127.0.0.1:6379/2 (throttles shared by the web processes)
WORKERS              RQ worker processes, default 2
WORKER_NICE          CPU niceness of the workers on this one machine, default 10 (0: none)
WEB_PROCESSES        gunicorn processes, default 2
WEB_THREADS          threads per gunicorn process, default 8
RUN_ADDRESS          default 127.0.0.1:8000
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from yearend.supervise import supervise

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
QUEUES = ["resets", "imports", "reports", "notices", "default"]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/yer_scale_stack"


def scaled_environment(
    database_url: str, redis_url: str, cache_url: str, **extra: str
) -> dict[str, str]:
    """The environment every process of the scaled stack shares."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yearend.settings",
        "DATABASE_URL": database_url,
        "TASK_BACKEND": "rq",
        "REDIS_URL": redis_url,
        "CACHE_URL": cache_url,
        **extra,
    }


def worker_command(name: str | None = None) -> list[str]:
    """One RQ worker on every queue, running django-tasks jobs (django-tasks-rq's Job).

    On one machine the workers run at a lower CPU priority (WORKER_NICE, default 10) so
    the web processes answer promptly while a reset Friday keeps the workers busy.
    """
    nice = int(os.environ.get("WORKER_NICE", "10"))
    command = ["nice", "-n", str(nice)] if nice else []
    command += [*MANAGE, "rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler"]
    if name:
        command += ["--name", name]
    return [*command, *QUEUES]


def scheduler_command(interval: float = 5.0) -> list[str]:
    return [*MANAGE, "run_scheduler", "--interval", str(interval)]


def web_split() -> tuple[int, int]:
    """(gunicorn processes, threads per process): WEB_PROCESSES, WEB_THREADS."""
    return int(os.environ.get("WEB_PROCESSES", "2")), int(os.environ.get("WEB_THREADS", "8"))


def web_command(
    address: str, processes: int | None = None, threads: int | None = None
) -> list[str]:
    """gunicorn, WEB_PROCESSES processes of WEB_THREADS threads (default 2 x 8), each
    thread keeping its database connection.

    A page mostly waits on PostgreSQL (a dozen round trips), so each process serves
    several at once; while workers keep the CPUs busy every round trip waits its turn,
    and a new connection per request (Django's default, DB_CONN_MAX_AGE=0) costs a
    PostgreSQL backend start each time. 50 users during a run, same noise, p95 in ms
    (portal / API): 2x4 new connections 2,972 / 2,632; 2x4 kept 1,484 / 1,546;
    2x8 new 1,528 / 1,007; 2x8 kept 794 / 365 (bench/scale_out.py's users).

    The split stays 2 x 8. With the same 50 users and stand-ins for 2 busy workers, p95 in
    ms (portal / API): 2x8 146-172 / 64-86, 4x4 403-815 / 230-670, 8x2 497 / 404; on a
    quieter machine, both with 1 ms switches, 2x8 53-77 / 27-31, 4x4 95 / 37. More
    processes add no core on this machine, only more runnable processes and per-process
    state to warm (CPU per request 9.6 ms at 2x8, 13.2 at 8x2); what 8 threads in one
    process do cost, each thread's wait for the GIL after a database round trip, is cut
    by a shorter switch interval (yearend/gunicorn_config.py).
    """
    processes, threads = processes or web_split()[0], threads or web_split()[1]
    keep = os.environ.get("DB_CONN_MAX_AGE", "60")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "yearend.wsgi_local:application",
        "--config",
        "python:yearend.gunicorn_config",
        "--workers",
        str(processes),
        "--threads",
        str(threads),
        # Web processes only: RQ forks a child per job, which must not share a socket.
        "--env",
        f"DB_CONN_MAX_AGE={keep}",
        "--bind",
        address,
        "--timeout",
        "60",
    ]


def database_create(url: str) -> None:
    """CREATE DATABASE when it does not exist yet (the server must be reachable)."""
    name = url.rsplit("/", 1)[1].split("?")[0]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}")


def _manage(env: dict, *args: str) -> None:
    subprocess.run([*MANAGE, *args], check=True, cwd=ROOT, env=env)  # noqa: S603


def _database_is_empty(env: dict) -> bool:
    out = subprocess.run(  # noqa: S603
        [
            *MANAGE,
            "shell",
            "-c",
            "from yearend.organizations.models import Organization as O; print(O.objects.exists())",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().endswith("False")


def main() -> int:
    database_url = os.environ.get("SCALED_DATABASE_URL", DEFAULT_DATABASE_URL)
    address = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")
    workers = int(os.environ.get("WORKERS", "2"))
    env = scaled_environment(
        database_url,
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
        os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/2"),
        MEDIA_ROOT=os.environ.get("MEDIA_ROOT", str(ROOT / "var" / "scaled-files")),
    )
    database_create(database_url)
    # Migrations first, always before new code serves or works (see README "Deployment").
    _manage(env, "migrate", "--no-input", "-v", "0")
    if _database_is_empty(env):
        print("Empty database: loading demo data (3 organizations, 300 students each)...")
        _manage(env, "seed_demo", "--organizations", "3", "--students-per-org", "300")
    _manage(env, "demo_ready")

    processes = [("web", web_command(address))]
    processes += [(f"worker-{n + 1}", worker_command()) for n in range(workers)]
    processes += [("scheduler", scheduler_command())]
    print(
        f"\nYear-End Reset (scaled: PostgreSQL, RQ, gunicorn {'x'.join(map(str, web_split()))}, "
        f"{workers} workers, "
        f"1 scheduler) at http://{address}/  (Ctrl-C stops it)\n"
        "  logins (password reset-demo-2024): demo001-district-admin, "
        "demo001-school-admin, demo001-teacher-1, demo-csm, demo-ops, demo-ops-2\n"
        f"  health: http://{address}/healthz   metrics: http://{address}/metrics   "
        f"operations: http://{address}/admin/\n"
        f"  database: {database_url}   queues: {env['REDIS_URL']}\n"
    )
    return supervise(processes, cwd=ROOT, env=env, grace=15)


if __name__ == "__main__":
    sys.exit(main())
