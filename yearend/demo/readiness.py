"""Idempotent steps `make run` takes on every start so the demo works end to end.

Each domain appends what it needs (a reset cycle, a date assignment, ...) here; each
step must be safe to run again on a database that already has it.
"""

from collections.abc import Callable

DEMO_STEPS: list[Callable[[], None]] = []
