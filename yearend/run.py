"""`make run`: the whole product on one laptop, in the foreground.

Migrates the SQLite database, loads demo data when it is empty, prints one login per
role, then runs the web server and the background worker together. Ctrl-C stops all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from yearend.supervise import supervise

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
ADDRESS = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")

# Long-running processes of the embedded stack: (name, manage.py arguments).
PROCESSES: list[tuple[str, list[str]]] = [
    ("web", ["runserver", ADDRESS, "--noreload", "--insecure"]),
    ("scheduler", ["run_scheduler"]),
    ("worker", ["db_worker", "--queue-name", "*", "--no-reload", "--interval", "1"]),
]


def manage(*args: str) -> None:
    subprocess.run([*MANAGE, *args], check=True, cwd=ROOT)


def database_is_empty() -> bool:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yearend.settings")
    import django

    django.setup()
    from django.db import connection

    from yearend.organizations.models import Organization

    try:
        return not Organization.objects.exists()
    finally:
        connection.close()


def main() -> int:
    manage("migrate", "--no-input", "-v", "0")
    if database_is_empty():
        print("Empty database: loading demo data (3 organizations, 300 students each)...")
        manage("seed_demo", "--organizations", "3", "--students-per-org", "300")
    else:
        print(
            "Demo logins (password reset-demo-2024): demo001-district-admin, "
            "demo001-school-admin, demo001-teacher-1, demo-csm, demo-ops, demo-ops-2"
        )
    manage("demo_ready")

    print(f"\nYear-End Reset is running at http://{ADDRESS}/  (Ctrl-C stops it)\n")
    return supervise([(name, [*MANAGE, *args]) for name, args in PROCESSES], cwd=ROOT, grace=10)


if __name__ == "__main__":
    sys.exit(main())
