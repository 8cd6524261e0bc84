"""Prints a normalised summary of every organization's reset as JSON, for the scale-out
proofs: run status and counts, verification, the certificate without times, ids and
signature, and the row count of every tenant table. Run as
``python -m yearend.resets.tests.scale_probe`` with DATABASE_URL set.
"""

import json

import django

# Keys that differ between two correct runs of the same reset: when, which row, the key.
VOLATILE = {"run_id", "archive_id", "signature"}


def _normalised(value):
    if isinstance(value, dict):
        return {
            k: _normalised(v)
            for k, v in sorted(value.items())
            if k not in VOLATILE and not k.endswith("_at")
        }
    return value


def main() -> None:
    django.setup()
    from yearend.organizations.models import Organization, School
    from yearend.people.models import User
    from yearend.resets.models import ResetRun
    from yearend.tenancy import models_deleted_by_reset

    # What the reset deletes and what it keeps; other apps' jobs (notices) may differ.
    tables = sorted([*models_deleted_by_reset(), School, User], key=lambda m: m._meta.label)

    summary = {}
    for org in Organization.objects.order_by("site_code"):
        runs = list(ResetRun.tenant.of(org).order_by("pk"))
        summary[org.site_code] = {
            "runs": [
                {
                    "status": run.status,
                    "step": run.step,
                    "counts": run.counts,
                    "verification": run.verification,
                    "certificate": _normalised(run.certificate),
                    "certificate_written": bool(run.certificate_json_path),
                }
                for run in runs
            ],
            "rows": {
                m._meta.label_lower: m._default_manager.filter(organization_id=org.pk).count()
                for m in tables
            },
        }
    print(json.dumps(summary, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
