"""How the web processes that serve the portal are started (make run-scaled, production)."""

import sys

from yearend import gunicorn_config
from yearend.run_scaled import web_command


def test_each_web_process_switches_threads_every_millisecond():
    before = sys.getswitchinterval()
    try:
        gunicorn_config.post_fork(server=None, worker=None)
        assert sys.getswitchinterval() == gunicorn_config.SWITCH_INTERVAL_SECONDS == 0.001
    finally:
        sys.setswitchinterval(before)


def test_gunicorn_reads_that_config_and_the_split_from_the_environment(monkeypatch):
    monkeypatch.delenv("WEB_PROCESSES", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    command = web_command("127.0.0.1:8000")
    assert command[command.index("--config") + 1] == "python:yearend.gunicorn_config"
    assert command[command.index("--workers") + 1 : command.index("--threads") + 2] == [
        "2",
        "--threads",
        "8",
    ]
    monkeypatch.setenv("WEB_PROCESSES", "3")
    monkeypatch.setenv("WEB_THREADS", "5")
    command = web_command("127.0.0.1:8000")
    assert (command[command.index("--workers") + 1], command[command.index("--threads") + 1]) == (
        "3",
        "5",
    )
