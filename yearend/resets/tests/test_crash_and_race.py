"""SIGKILL a worker at random moments of a reset and race several starters.

Each trial copies one seeded, file-backed SQLite database, runs ``reset_run start
--wait`` in a subprocess, kills it at a random moment (sometimes twice), restarts it and
compares the end state, row by row, with an uninterrupted run on another copy.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
SITE = "DEMO001"
TRIALS = int(os.environ.get("RESET_CRASH_TRIALS", "20"))


def _env(folder: Path, db: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yearend.settings",
        "DATABASE_URL": f"sqlite:///{db}",
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


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reset-template")
    db = folder / "template.sqlite3"
    env = _env(folder, db)
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "seed_demo", "--organizations", "2", "--students-per-org", "40", "--seed", "1")
    # Fold the WAL into the main file so a plain copy is the whole database.
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.environ.setdefault("PROBE_SINCE", datetime.now(UTC).isoformat())
    return db


def _copy(template: Path, folder: Path) -> dict:
    folder.mkdir(parents=True)
    db = folder / "db.sqlite3"
    shutil.copy(template, db)
    return _env(folder, db)


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
    for trial in range(TRIALS):
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
    assert killed_mid_run >= TRIALS // 2


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
