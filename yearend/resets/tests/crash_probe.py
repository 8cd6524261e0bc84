"""Prints the end state of a database as JSON, for the crash and race trials.

Run as ``python -m yearend.resets.tests.crash_probe`` with DATABASE_URL pointing at the
trial's database. Times the engine writes (run times, audit rows) are left out; every
row of every organization table is in.
"""

import json
import os
import re
from datetime import datetime

import django

# Times written during the run differ from trial to trial; everything else must not.
SINCE = datetime.fromisoformat(os.environ.get("PROBE_SINCE", "2999-01-01T00:00:00+00:00"))


# Random file names (uuid hex) of files written during the run, e.g. the archive's.
RANDOM_NAME = re.compile(r"[0-9a-f]{32}")


def _value(v):
    if isinstance(v, datetime) and v >= SINCE:
        return "<written by the run>"
    if isinstance(v, str):
        return RANDOM_NAME.sub("<random>", v)
    return v


def _normalized(rows: list[dict], run_numbers: dict[int, int]) -> list[dict]:
    # A row that points at a reset run names it by its place among the runs: on PostgreSQL
    # a claim killed before its commit used up a sequence value, so the run's id differs.
    return [
        {k: run_numbers.get(v) if k == "reset_run_id" else _value(v) for k, v in row.items()}
        for row in rows
    ]


def main() -> None:
    django.setup()
    from yearend.organizations.models import Organization
    from yearend.resets.models import ResetRun
    from yearend.resets.tests.helpers import organization_content
    from yearend.rosters.models import SyncState

    state = {}
    run_pks = ResetRun.unscoped.order_by("pk").values_list("pk", flat=True)
    run_numbers = {pk: n for n, pk in enumerate(run_pks, start=1)}
    for org in Organization.objects.order_by("pk"):
        content = organization_content(org.pk)
        content.pop("audit.auditevent", None)
        state[org.site_code] = {
            table: _normalized(rows, run_numbers) for table, rows in content.items()
        }
        state[org.site_code + ":syncs_paused"] = SyncState.unscoped.filter(
            organization=org, reset_paused_at__isnull=False
        ).exists()
    state["runs"] = [
        {
            "site_code": run.organization.site_code,
            "status": run.status,
            "step": run.step,
            "cutover_epoch": run.cutover_epoch,
            "counts": run.counts,
            "verified": run.verification.get("ok"),
            "certified_counts": run.certificate.get("deleted"),
            "schools_done": sorted(
                (p.school_id, p.done, p.deleted) for p in run.school_purges.all()
            ),
        }
        for run in ResetRun.unscoped.select_related("organization").order_by("pk")
    ]
    print(json.dumps(state, default=str, sort_keys=True))


if __name__ == "__main__":
    main()
