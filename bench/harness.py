"""Fresh databases for benchmarks, and the record each measurement prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SCALE = os.environ.get("BENCH_SCALE", "small")
MARK = "BENCH-RESULT "


def postgres_problem() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """A migrated, empty database URL; dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="yer-bench-") as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            _migrate(url)
            yield url
        return
    name = f"yer_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        _migrate(url)
        yield url
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate(url: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
        check=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "TASK_BACKEND": "immediate"},
    )


def run_module(module: str, url: str) -> list[dict]:
    """Run one benchmark module in its own process against ``url``."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TASK_BACKEND": "immediate",
        "DJANGO_SETTINGS_MODULE": "yearend.settings",
        "BENCH_SCALE": SCALE,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bench.child", module],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    results = [
        json.loads(line[len(MARK) :]) for line in proc.stdout.splitlines() if line.startswith(MARK)
    ]
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"benchmark {module} failed:\n{tail}")
    return results


def emit(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    goal: str = "",
    note: str = "",
) -> None:
    """Print one measured figure for the parent process to collect."""
    record = {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "goal": goal,
        "note": note,
    }
    print(MARK + json.dumps(record), flush=True)


class Stopwatch:
    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
