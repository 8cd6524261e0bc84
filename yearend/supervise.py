"""Keep a few local processes running together (`make run`, `make run-scaled`).

One exits: stop the rest (a web server without its worker would look healthy and do
nothing). Ctrl-C or SIGTERM: ask each to stop, then kill what does not within the grace.
"""

from __future__ import annotations

import signal
import subprocess
import time


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def supervise(
    processes: list[tuple[str, list[str]]], *, cwd, env: dict | None = None, grace: float = 15
) -> int:
    """Start ``(name, command)`` pairs and wait; the exit code of the first to stop, or 0."""
    signal.signal(signal.SIGTERM, _interrupt)
    children = [
        (name, subprocess.Popen(command, cwd=cwd, env=env))  # noqa: S603
        for name, command in processes
    ]
    try:
        while True:
            for name, child in children:
                if child.poll() is not None:
                    print(f"{name} exited with code {child.returncode}; stopping.")
                    return child.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping...")
        return 0
    finally:
        for _, child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for _, child in children:
            try:
                child.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                child.kill()
