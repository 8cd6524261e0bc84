"""SIGKILL ``send_notices`` in the middle of its pass, twice, then let it finish.

A file-backed SQLite database and the file mail backend, so the killed process's mails
and rows survive it. Every notice must be recorded once, mailed at most once, and all
be either sent or held by a dead worker's claim (which the next pass after
SEND_STALE_AFTER gives up, never resends; see test_delivery).
"""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
ADMINS = 150
SEND = [sys.executable, "manage.py", "send_notices", "--as-of", "2024-08-02"]


def _env(folder: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yearend.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "TASK_BACKEND": "immediate",
        "SECRET_KEY": "notices-kill-trial",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(folder / "mail"),
        "LOG_LEVEL": "CRITICAL",
    }


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not migrated yet or busy: try again


def _kill_when(env: dict, db: Path, sent_at_least: int) -> None:
    """Start a pass and SIGKILL it as soon as that many notices are marked sent."""
    process = subprocess.Popen(SEND, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            sent = _count(db, "SELECT count(*) FROM notices_notice WHERE delivery = 'sent'")
            if sent >= sent_at_least:
                break
            time.sleep(0.005)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()


def test_a_killed_worker_never_mails_a_notice_twice(tmp_path):
    env = _env(tmp_path)
    db = tmp_path / "db.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "yearend.notices.tests.kill_setup", str(ADMINS)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    sent_sql = "SELECT count(*) FROM notices_notice WHERE delivery = 'sent'"
    for target in (ADMINS // 3, 2 * ADMINS // 3):
        _kill_when(env, db, target)
        # Killed in the middle of sending, not before or after the pass.
        assert target <= _count(db, sent_sql) < ADMINS
    for _ in range(2):
        subprocess.run(SEND, cwd=ROOT, env=env, check=True, capture_output=True)

    mailed = []
    for file in (tmp_path / "mail").glob("*.log"):
        mailed += re.findall(r"^X-Yearend-Notice: (\S+)$", file.read_text(), re.MULTILINE)
    assert len(mailed) == len(set(mailed)), "a notice was mailed twice"
    recorded = _count(db, "SELECT count(*) FROM notices_notice")
    sent = _count(db, "SELECT count(*) FROM notices_notice WHERE delivery = 'sent'")
    claimed = _count(db, "SELECT count(*) FROM notices_notice WHERE delivery = 'sending'")
    assert recorded == ADMINS  # one reminder each, recorded once
    # Killed mid-pass twice: at most one claim per kill is left (given up once stale).
    assert sent + claimed == ADMINS and claimed <= 2
    assert sent <= len(mailed) <= ADMINS
