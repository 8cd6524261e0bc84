"""A deletion certificate downloaded (PDF or JSON), recorded: the portal, the vendor
pages and the API hand out the file through here."""

from __future__ import annotations

from pathlib import Path

from yearend.audit.actions import AuditAction
from yearend.audit.services import audit_record
from yearend.errors import NotFound
from yearend.resets.models import ResetRun

CERTIFICATE_KINDS = ("pdf", "json")


def certificate_download(*, run: ResetRun, kind: str, actor, via: str) -> Path:
    """The run's certificate file of ``kind``, recorded as downloaded."""
    if kind not in CERTIFICATE_KINDS:
        raise NotFound(f"No certificate as {kind!r}: use pdf or json.", field="kind")
    name = run.certificate_pdf_path if kind == "pdf" else run.certificate_json_path
    if not name or not Path(name).is_file():
        raise NotFound("This run has no certificate yet.", field="run_id")
    audit_record(
        action=AuditAction.CERTIFICATE_DOWNLOADED,
        actor=actor,
        organization=run.organization,
        via=via,
        details={"reset_run": run.pk, "kind": kind},
    )
    return Path(name)
