"""A roster bundle uploaded through the API: imported, and the upload recorded."""

from __future__ import annotations

from django.db import transaction

from yearend.audit.actions import AuditAction
from yearend.audit.models import Via
from yearend.audit.services import audit_record
from yearend.organizations.models import Organization
from yearend.people.models import User
from yearend.rosters.models import ImportRun
from yearend.rosters.oneroster.bundle import Bundle
from yearend.rosters.services import roster_import


def roster_upload(
    *, organization: Organization, bundle: Bundle, name: str, dry_run: bool, acting_user: User
) -> ImportRun:
    """Import the uploaded bundle (the import records itself); the upload's own audit row
    says it came through the API, whatever the import's outcome."""
    run = roster_import(
        organization=organization,
        bundle=bundle,
        path=name,
        dry_run=dry_run,
        acting_user=acting_user,
    )
    with transaction.atomic():
        audit_record(
            action=AuditAction.API_ROSTER_UPLOAD,
            actor=acting_user,
            organization=organization,
            via=Via.API,
            details={"run": run.pk, "status": run.status, "dry_run": dry_run},
        )
    return run
