"""Run the core tests again on PostgreSQL, or say plainly why not.

Tests marked ``core`` hold the behaviour that must be the same on both databases.
The server is TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.
When it cannot be reached the run is skipped with a message naming what is missing,
and ``make test`` still passes.
"""

import os
import sys

import psycopg
import pytest

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def reachable(url: str) -> str | None:
    """None when a connection works, else the reason it does not."""
    try:
        with psycopg.connect(url, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def main(argv: list[str]) -> int:
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_URL)
    problem = reachable(url)
    if problem:
        print(
            f"SKIPPED PostgreSQL tests: no PostgreSQL reachable at {url} ({problem}). "
            "Start one or set TEST_DATABASE_URL to run them."
        )
        return 0
    os.environ["TEST_DATABASE"] = "postgres"
    os.environ.setdefault("TEST_DATABASE_URL", url)
    print(f"Running the core tests on PostgreSQL ({url})")
    code = pytest.main(["-m", "core", *argv])
    return 0 if code == pytest.ExitCode.NO_TESTS_COLLECTED else int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
