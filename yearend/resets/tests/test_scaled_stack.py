"""The scale-out stack, for real: PostgreSQL, Redis, three RQ workers, two schedulers.

Twenty organizations are due at the same moment. Every one is reset exactly once (one
run, succeeded, certified, no student row left) although a worker is SIGKILLed while it
works: the engine's stale-run re-drive (the tick) and the purge slots' silence rule hand
its work to the others. The same resets run on the embedded default (SQLite, the
database task backend, one db_worker) end in the same state.

Needs PostgreSQL (TEST_DATABASE_URL's server) and Redis (SCALE_TEST_REDIS_URL, default
redis://127.0.0.1:6379/15, flushed at the start); skipped with a message otherwise.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from yearend.run_scaled import scheduler_command, worker_command

pytestmark = [pytest.mark.slow, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[3]
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("SCALE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ORGANIZATIONS = 20
STUDENTS = 20
DEADLINE_SECONDS = 150


def _problem() -> str | None:
    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            pass
    except psycopg.Error as error:
        return f"PostgreSQL not reachable at {PG_URL}: {str(error).strip().splitlines()[0]}"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:
        return f"Redis not reachable at {REDIS_URL}: {error}"
    return None


def _env(database_url: str, folder: Path, **extra: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yearend.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "scale-proof-key",
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # A killed worker's run and school are picked up after 4 s of silence; the
        # reset tick runs every 2 s; small batches make a kill land mid-purge.
        "RESET_STALE_AFTER_SECONDS": "4",
        "RESET_TICK_SECONDS": "2",
        "RESET_PURGE_BATCH_SIZE": "5",
        "RESET_MAX_CONCURRENT_RUNS": "8",
        "RESET_MAX_CONCURRENT_PURGES_PER_ORG": "1",  # each demo district has 2 schools
        # Schools as tasks spread over the workers, however small the district: the proof
        # is about their slots and the silence rule (small districts are otherwise purged
        # by the worker that starts them, as the embedded default's run below is).
        "RESET_INLINE_PURGE_ROWS": "0",
        **extra,
    }


def _run(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{args}: {result.stderr[-3000:]}"
    return result.stdout


def _prepare(env: dict, organizations: int) -> None:
    _run(env, "manage.py", "migrate", "--no-input", "-v", "0")
    _run(
        env,
        "manage.py",
        "seed_demo",
        "--organizations",
        str(organizations),
        "--students-per-org",
        str(STUDENTS),
        "--seed",
        "1",
    )
    _run(env, "-m", "yearend.resets.tests.set_all_due")


def _probe(env: dict) -> dict:
    return json.loads(_run(env, "-m", "yearend.resets.tests.scale_probe"))


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    """The twenty-organization run on the scaled stack; yields (summary, kill report)."""
    if problem := _problem():
        pytest.skip(problem)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    name = f"yer_scale_proof_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    folder = tmp_path_factory.mktemp("scaled")
    env = _env(url, folder, TASK_BACKEND="rq", REDIS_URL=REDIS_URL)
    processes: list[subprocess.Popen] = []
    try:
        _prepare(env, ORGANIZATIONS)
        logs = folder / "logs"
        logs.mkdir()
        # Each process in its own group: a SIGKILL to the group also takes RQ's work horse,
        # as when a machine dies.
        for n in range(3):
            command = worker_command(name=f"proof-worker-{n}")
            processes.append(_spawn(command, env, logs / f"worker-{n}.log"))
        for n in range(2):
            processes.append(_spawn(scheduler_command(0.5), env, logs / f"scheduler-{n}.log"))
        killed = _kill_a_busy_worker(processes[0], url, REDIS_URL, "proof-worker-0")
        observed = _wait_until_all_done(url)
        observed["export"] = _export_on_the_workers(env, url)
        yield _probe(env), killed, observed
    finally:
        for proc in processes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in processes:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(REDIS_URL).flushdb()


def _spawn(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _sql(url: str, query: str):
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def _kill_a_busy_worker(proc: subprocess.Popen, url: str, redis_url: str, name: str) -> dict:
    """SIGKILL the worker while it runs a job and purges are under way."""
    import redis

    connection = redis.Redis.from_url(redis_url, decode_responses=True)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        state = connection.hget(f"rq:worker:{name}", "state")
        purging = _sql(url, "SELECT count(*) FROM resets_schoolpurge WHERE batches > 0")[0][0]
        if state == "busy" and purging:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            done = _sql(url, "SELECT count(*) FROM resets_resetrun WHERE status = 'succeeded'")
            return {"state": state, "runs_done_at_kill": done[0][0]}
        time.sleep(0.05)
    pytest.fail("the worker never was busy while a purge was under way")


# Schools of one organization purged at the same moment: started, not done, and with a
# batch in the last 2 s (a killed worker's school falls out once silent).
LIVE_PURGES = """
    SELECT coalesce(max(n), 0) FROM (
        SELECT count(*) AS n FROM resets_schoolpurge
        WHERE NOT done AND batches > 0 AND updated_at > now() - interval '2 seconds'
        GROUP BY organization_id) AS per_org
"""
RUNNING_RUNS = "SELECT count(*) FROM resets_resetrun WHERE status = 'running'"


def _wait_until_all_done(url: str) -> dict:
    """Waits for every run to end, sampling how much ran at once; returns the maxima."""
    observed = {"purges_per_org": 0, "runs": 0}
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        observed["purges_per_org"] = max(observed["purges_per_org"], _sql(url, LIVE_PURGES)[0][0])
        observed["runs"] = max(observed["runs"], _sql(url, RUNNING_RUNS)[0][0])
        finished = _sql(url, "SELECT count(*) FROM resets_resetrun WHERE status <> 'running'")
        if finished[0][0] >= ORGANIZATIONS:
            return observed
        time.sleep(0.05)
    states = _sql(url, "SELECT status, step, count(*) FROM resets_resetrun GROUP BY 1, 2")
    pytest.fail(f"not all resets finished in {DEADLINE_SECONDS}s: {states}")


def test_twenty_due_organizations_each_reset_exactly_once_despite_a_killed_worker(scaled):
    summary, killed, _observed = scaled

    print("killed:", killed)
    assert killed["runs_done_at_kill"] < ORGANIZATIONS, killed  # the kill was mid-run
    assert len(summary) == ORGANIZATIONS
    for site_code, org in summary.items():
        assert len(org["runs"]) == 1, site_code
        run = org["runs"][0]
        assert (run["status"], run["step"]) == ("succeeded", "done"), (site_code, run)
        assert run["verification"]["ok"] and run["certificate_written"], site_code
        assert run["counts"]["students"] == STUDENTS, site_code
        assert org["rows"]["people.student"] == 0, site_code


EXPORT = (
    "from yearend.organizations.models import Organization as O; "
    "from yearend.people.models import User as U; "
    "from yearend.reports.services import export_request as x; "
    "o = O.objects.get(site_code='DEMO001'); "
    "print(x(actor=U.objects.get(username='demo001-district-admin'), organization=o).pk)"
)


def _export_on_the_workers(env: dict, url: str) -> str:
    """A Student Data Export requested as the portal does, run by an RQ worker."""
    job_id = int(_run(env, "manage.py", "shell", "-c", EXPORT).strip().splitlines()[-1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = _sql(url, f"SELECT status FROM reports_exportjob WHERE id = {job_id}")[0][0]
        if status in ("done", "failed"):
            return status
        time.sleep(0.3)
    return "still queued"


def test_background_work_of_other_apps_runs_on_the_workers(scaled):
    _summary, _killed, observed = scaled

    assert observed["export"] == "done"


def test_the_limits_held_while_the_workers_raced(scaled):
    _summary, _killed, observed = scaled

    print("observed:", observed)
    assert observed["purges_per_org"] == 1  # sampled: never two schools of one district
    assert 1 <= observed["runs"] <= 8


def test_the_embedded_default_ends_in_the_same_state(scaled, tmp_path):
    summary, _killed, _observed = scaled
    # Its small districts are purged in place (the default): the same end state either way.
    env = _env(
        f"sqlite:///{tmp_path / 'db.sqlite3'}",
        tmp_path,
        TASK_BACKEND="database",
        RESET_INLINE_PURGE_ROWS="100000",
    )
    _prepare(env, 2)
    _run(env, "manage.py", "reset_tick")
    for _ in range(30):
        _run(env, "manage.py", "db_worker", "--queue-name", "*", "--batch", "--no-startup-delay")
        embedded = _probe(env)
        if all(org["runs"] and org["runs"][0]["status"] != "running" for org in embedded.values()):
            break

    assert set(embedded) == {"DEMO001", "DEMO002"}
    for site_code, org in embedded.items():
        assert org == summary[site_code], site_code
