"""Whole-content snapshots of the database, for before/after comparisons."""

from __future__ import annotations

from django.apps import apps
from django.forms.models import model_to_dict
from django.test import TestCase

from yearend.organizations.models import Organization
from yearend.people.models import User
from yearend.resets.dispatch import reset_start_in_background
from yearend.resets.engine import reset_start
from yearend.resets.models import ResetRun
from yearend.tenancy import ResetPolicy, tenant_models

# Tables the reset itself writes to (its own run rows, audit, the sync pause state).
ENGINE_TABLES = {"resets.resetrun", "resets.schoolpurge", "rosters.syncstate"}


def _rows(queryset) -> list[dict]:
    return sorted(
        (
            {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
            for obj in queryset
        ),
        key=lambda row: row["id"],
    )


def organization_content(organization_id: int, *, retained_only: bool = False) -> dict:
    """Every row of every table the organization owns, full content."""
    content = {
        "organization": _rows(Organization.objects.filter(pk=organization_id)),
        "users": _rows(User.objects.filter(organization_id=organization_id)),
    }
    for model in tenant_models():
        label = model._meta.label_lower
        if label in ENGINE_TABLES or model is User:
            continue
        if retained_only and getattr(model, "reset_policy", None) != ResetPolicy.RETAIN:
            continue
        content[label] = _rows(model._default_manager.filter(organization_id=organization_id))
    if retained_only:
        content["organization"] = [
            {k: v for k, v in row.items() if k != "student_epoch"}
            for row in content["organization"]
        ]
    return content


def shared_content() -> dict:
    """Catalogue tables shared by all organizations (products, pathways)."""
    return {
        m._meta.label_lower: sorted(map(model_to_dict, m._default_manager.all()), key=str)
        for m in (apps.get_model("organizations", "Product"), apps.get_model("learning", "Pathway"))
    }


def start_reset(organization, *, advance: bool = True, **kwargs):
    """A reset started in the background as the workers would see it: its on-commit
    enqueue runs (immediate backend). ``advance=False`` only claims the run."""
    start = reset_start_in_background if advance else reset_start
    with TestCase.captureOnCommitCallbacks(execute=True):
        run, created = start(organization=organization, **kwargs)
    return ResetRun.unscoped.get(pk=run.pk), created


# Append-only tables the reset adds to: the audit trail, the year-end archive (snapshot).
APPEND_ONLY = {"audit.auditevent", "reports.yearendarchive"}


def assert_kept(before: dict, after: dict) -> None:
    """Every row before is still there unchanged; append-only tables may have grown."""
    assert before.keys() == after.keys()
    for table, rows in before.items():
        if table in APPEND_ONLY:
            assert after[table][: len(rows)] == rows, table
        else:
            assert after[table] == rows, table
