"""Settings for the test suite: the same as production but fast and self-contained.

TEST_DATABASE=postgres runs the suite against PostgreSQL (TEST_DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/postgres); the test database's name can be set with
TEST_DATABASE_NAME so that parallel runs on one server don't collide.
"""

import os

os.environ.setdefault("TASK_BACKEND", "immediate")

from yearend.settings import *  # noqa: F403
from yearend.settings import _database_from_url

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
POSTGRES_TEST_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)

if os.environ.get("TEST_DATABASE") == "postgres":
    DATABASES = {"default": _database_from_url(POSTGRES_TEST_URL)}
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_yearend")}
else:
    DATABASES = {"default": _database_from_url("sqlite:///:memory:")}
    # The in-memory test database is shared-cache, where a writer that meets another
    # connection's table read lock fails at once ("database table is locked") instead of
    # waiting as on a file. Browser tests read through the live server while the test
    # thread writes (a reset advancing), so readers here take no table locks.
    DATABASES["default"]["OPTIONS"]["init_command"] += " PRAGMA read_uncommitted=1;"
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

MEDIA_ROOT = BASE_DIR / "var" / "test-files"  # noqa: F405
LOGGING["loggers"]["yearend"]["level"] = "WARNING"  # noqa: F405
