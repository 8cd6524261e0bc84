"""SIGKILL a worker at random moments of a reset and race several starters.

On a file-backed SQLite database (20 trials) and on PostgreSQL (10 trials, databases
copied from a template; skipped when no server answers), each trial copies one seeded
database, runs ``reset_run start --wait`` in a subprocess, kills it at a random moment
(sometimes twice), restarts it and compares the end state, row by row, with an
uninterrupted run on another copy.
"""

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
SITE = "DEMO001"
TRIALS = int(os.environ.get("RESET_CRASH_TRIALS", "20"))
PG_TRIALS = int(os.environ.get("RESET_CRASH_TRIALS_PG", "10"))
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _env(folder: Path, url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yearend.settings",
        "DATABASE_URL": url,
        "TASK_BACKEND": "immediate",
        "SECRET_KEY": "crash-trial-key",
        "MEDIA_ROOT": str(folder / "media"),
        # Small batches: many short transactions to be killed between and inside.
        "RESET_PURGE_BATCH_SIZE": "3",
        "LOG_LEVEL": "CRITICAL",
    }


def _manage(env, *args, check=True):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


def _start_cmd():
    return [
        sys.executable,
        "manage.py",
        "reset_run",
        "start",
        "--org",
        SITE,
        "--now",
        "--confirm",
        SITE,
        "--wait",
    ]


def _probe(env) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "yearend.resets.tests.crash_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def _diff(got: dict, want: dict) -> list:
    """The tables (and run fields) that differ, with a sample, to read a failure."""
    out = []
    for key in sorted(set(got) | set(want)):
        a, b = got.get(key), want.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += [(key, t, a.get(t), b.get(t)) for t in set(a) | set(b) if a.get(t) != b.get(t)]
        elif a != b:
            out.append((key, a, b))
    return out


class Source:
    """A seeded template database and cheap identical copies of it, per backend."""

    def __init__(self, backend: str, folder: Path):
        self.backend, self.folder, self.copies = backend, folder, []
        self.trials = TRIALS if backend == "sqlite" else PG_TRIALS
        if backend == "sqlite":
            self.template = folder / "template.sqlite3"
            url = f"sqlite:///{self.template}"
        else:
            self.template = f"yer_reset_crash_{uuid.uuid4().hex[:8]}"
            self._admin(f'CREATE DATABASE "{self.template}"')
            url = self._url(self.template)
        env = _env(folder, url)
        _manage(env, "migrate", "--no-input", "-v", "0")
        _manage(env, "seed_demo", "--organizations", "2", "--students-per-org", "40", "--seed", "1")
        if backend == "sqlite":
            # Fold the WAL into the main file so a plain copy is the whole database.
            with sqlite3.connect(self.template) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _url(self, name: str) -> str:
        return PG_URL.rsplit("/", 1)[0] + f"/{name}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql)

    def copy(self, folder: Path) -> dict:
        folder.mkdir(parents=True)
        if self.backend == "sqlite":
            db = folder / "db.sqlite3"
            shutil.copy(self.template, db)
            return _env(folder, f"sqlite:///{db}")
        name = f"{self.template}_{len(self.copies)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.copies.append(name)
        return _env(folder, self._url(name))

    def drop(self) -> None:
        if self.backend == "postgresql":
            for name in [*self.copies, self.template]:
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_problem() -> str | None:
    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def template(request, tmp_path_factory):
    if request.param == "postgresql" and (problem := _postgres_problem()):
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    os.environ.setdefault("PROBE_SINCE", datetime.now(UTC).isoformat())
    source = Source(request.param, tmp_path_factory.mktemp(f"reset-{request.param}"))
    yield source
    source.drop()


def _copy(template: Source, folder: Path) -> dict:
    return template.copy(folder)


@pytest.fixture(scope="module")
def reference(template, tmp_path_factory):
    env = _copy(template, tmp_path_factory.mktemp("reference") / "run")
    began = time.monotonic()
    result = subprocess.run(_start_cmd(), cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.monotonic() - began
    assert result.returncode == 0, result.stderr
    state = _probe(env)
    assert state["runs"][0]["status"] == "succeeded"
    assert state["runs"][0]["counts"]["students"] == 40
    return state, took


def test_every_killed_run_converges_to_the_uninterrupted_end_state(template, reference, tmp_path):
    expected, took = reference
    rng = random.Random(20240719)
    killed_mid_run = 0
    upper = took
    for trial in range(template.trials):
        env = _copy(template, tmp_path / f"trial{trial}")
        for _ in range(rng.choice([1, 1, 2])):
            worker = subprocess.Popen(
                _start_cmd(),
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(rng.uniform(0.2, upper))
            if worker.poll() is None:
                killed_mid_run += 1
            else:
                # Finished before the kill: this machine is faster now, aim earlier.
                upper = max(0.5, upper * 0.8)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        restarted = subprocess.run(_start_cmd(), cwd=ROOT, env=env, capture_output=True, text=True)
        assert restarted.returncode == 0, (trial, restarted.stdout, restarted.stderr)
        differences = _diff(_probe(env), expected)
        assert not differences, (
            f"trial {trial} diverged: {json.dumps(differences, default=str)[:3000]}"
        )
    # The trials must actually interrupt runs, not only kill finished processes.
    assert killed_mid_run >= template.trials // 2


def test_racing_starters_make_one_run_and_the_same_end_state(template, reference, tmp_path):
    expected, _ = reference
    env = _copy(template, tmp_path / "race")
    racers = [
        subprocess.Popen(
            _start_cmd(),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(r.wait(), *r.communicate()) for r in racers]

    assert all(code == 0 for code, _, _ in results), results
    assert sum("already exists" in out for _, out, _ in results) == 3
    assert _diff(_probe(env), expected) == []
