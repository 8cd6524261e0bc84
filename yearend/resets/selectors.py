"""Reads of the reset engine: the preview (a dry run) and the runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Subquery

from yearend.organizations.models import Organization, School
from yearend.people.models import EDUCATOR_ROLES, Student, User
from yearend.resets.models import ResetRun, Status, Step
from yearend.resets.purge import category, purge_plan, root_link
from yearend.rosters.selectors import reset_runs_pausing_syncs
from yearend.tenancy import models_deleted_by_reset

# Django marks an account without a usable credential with this prefix.
UNUSABLE_PREFIX = "!"


def _old_rows(model, organization: Organization, below_epoch: int):
    """Rows of ``model`` of the organization that belong to student epochs < below_epoch."""
    path, _root = root_link(model)
    return model.tenant.of(organization).filter(**{f"{path}epoch__lt": below_epoch})


def _school_path(model) -> str | None:
    path, root = root_link(model)
    return f"{path}school_id" if any(f.name == "school" for f in root._meta.fields) else None


def delete_counts(
    organization: Organization, below_epoch: int, *, per_school: bool = False
) -> dict:
    """Per category, how many rows of epochs below ``below_epoch`` exist.

    With ``per_school`` returns ``{school_id: {category: count}}`` as well. One query per
    table either way: the totals are the sums of the schools' counts (every row belongs to
    a school through its student or class), and a student's credential and SIS link are
    counted in the same pass as the students.
    """
    purge_plan()  # refuses early when a deleted table is unreachable
    totals: dict[str, int] = {}
    schools: dict[int, dict[str, int]] = {}
    for model in models_deleted_by_reset():
        rows = _old_rows(model, organization, below_epoch)
        measures = _measures(category(model))
        path = _school_path(model) if per_school else None
        if path is None:
            found = rows.aggregate(**{alias: count for alias, (_, count) in measures.items()})
            totals.update({name: found[alias] for alias, (name, _) in measures.items()})
            continue
        for name, _ in measures.values():
            totals[name] = 0
        counted = rows.values(path).annotate(
            **{alias: count for alias, (_, count) in measures.items()}
        )
        for row in counted.order_by():
            school = schools.setdefault(row[path], {})
            for alias, (name, _) in measures.items():
                school[name] = row[alias]
                totals[name] += row[alias]
    return {"total": dict(sorted(totals.items())), "schools": schools}


def _measures(name: str) -> dict[str, tuple[str, Count]]:
    """What is counted of a table: alias -> (category, aggregate). Aliases are not the
    category names, which could clash with a model's own field names."""
    measures = {"n_rows": (name, Count("pk"))}
    if name == "students":
        measures["n_credentials"] = (
            "credentials",
            Count("pk", filter=~Q(password__startswith=UNUSABLE_PREFIX)),
        )
        measures["n_sis_links"] = ("sis_links", Count("pk", filter=~Q(sis_sourced_id="")))
    return measures


def retain_counts(organization: Organization) -> dict[str, int]:
    return {
        "educators": User.objects.filter(
            organization=organization, role__in=[r.value for r in EDUCATOR_ROLES]
        ).count(),
        "schools": School.tenant.of(organization).count(),
        "organization": Organization.objects.filter(pk=organization.pk).count(),
    }


def reset_preview(organization: Organization, *, reset_date=None) -> dict:
    """What a reset would delete now, per category and per school, and what it keeps."""
    counts = delete_counts(organization, organization.student_epoch + 1, per_school=True)
    names = list(counts["total"])
    schools = [
        {
            "name": school.name,
            "delete": {n: counts["schools"].get(school.pk, {}).get(n, 0) for n in names},
        }
        for school in School.tenant.of(organization).order_by("name", "pk")
    ]
    return {
        "site_code": organization.site_code,
        "reset_date": reset_date.isoformat() if reset_date else None,
        "delete": counts["total"],
        "retain": retain_counts(organization),
        "schools": schools,
    }


def current_students(organization: Organization):
    return Student.tenant.of(organization).filter(epoch=organization.student_epoch)


def latest_run(organization: Organization) -> ResetRun | None:
    return ResetRun.tenant.of(organization).order_by("-started_at", "-id").first()


def run_summary(run: ResetRun) -> dict:
    return {
        "run_id": run.pk,
        "site_code": run.organization.site_code,
        "cycle": run.cycle.year,
        "status": run.status,
        "step": run.step,
        "failed_step": run.failed_step or None,
        "error": run.error or None,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "counts": run.counts,
        "verification": run.verification.get("ok"),
        "certificate": run.certificate_pdf_path or None,
        "certificate_json": run.certificate_json_path or None,
        **dict(zip(("schools_done", "schools"), schools_purged(run), strict=True)),
    }


def schools_purged(run: ResetRun) -> tuple[int, int]:
    """(schools purged, schools) of a run. An organization-wide purge (one pass, no school
    of its own) finishes all of the organization's schools at once, at its end."""
    parts = list(run.school_purges.values_list("school_id", "done"))
    if any(school_id is None for school_id, _ in parts):
        schools = School.tenant.of(run.organization_id).count()
        return (schools if all(done for _, done in parts) else 0), schools
    return sum(done for _, done in parts), len(parts)


def last_reset_finished_at(organization) -> QuerySet:
    """When the organization's latest finished reset ended (one value, or no row): the
    new school year starts there. ``organization`` may be ``OuterRef("pk")``."""
    return (
        ResetRun.tenant.of(organization)
        .filter(finished_at__isnull=False)
        .order_by("-finished_at")
        .values("finished_at")[:1]
    )


# --- Across organizations, for the notices: each one query over all of them ------------------


def runs_succeeded_between(after: datetime, until: datetime) -> QuerySet[ResetRun]:
    """Every organization's resets that succeeded after ``after`` up to ``until``."""
    return ResetRun.unscoped.filter(
        status=Status.SUCCEEDED, finished_at__gt=after, finished_at__lte=until
    ).select_related("organization", "cycle")


def failed_runs() -> QuerySet[ResetRun]:
    """Every organization's resets that stopped at a failed step (until resumed)."""
    return ResetRun.unscoped.filter(status=Status.FAILED).select_related("organization", "cycle")


def resets_started(
    organization_ids: Iterable[int], cycle_ids: Iterable[int]
) -> set[tuple[int, int]]:
    """(organization id, cycle id) of each of these organizations' resets in these cycles
    that has started: it has a run, whatever became of it."""
    return set(
        ResetRun.unscoped.filter(
            organization_id__in=set(organization_ids), cycle_id__in=set(cycle_ids)
        ).values_list("organization_id", "cycle_id")
    )


def runs_still_pausing_syncs(*, finished_by: datetime) -> QuerySet[ResetRun]:
    """Resets that succeeded by then but still hold their organization's roster syncs
    paused (resuming them is the reset's last step)."""
    return ResetRun.unscoped.filter(
        pk__in=Subquery(reset_runs_pausing_syncs()),
        status=Status.SUCCEEDED,
        finished_at__lte=finished_by,
    ).select_related("organization", "cycle")


def step_label(step: str) -> str:
    """How a person reads a run's step ("Delete student data"); a step no longer known
    reads as its name."""
    try:
        return Step(step).label
    except ValueError:
        return step or "unknown step"
