from __future__ import annotations

from typing import Any

from yearend.audit.models import AuditEvent, Via


def audit_record(
    *,
    action: str,
    actor=None,
    organization=None,
    via: str = Via.SYSTEM,
    details: dict[str, Any] | None = None,
    remote_addr: str | None = None,
) -> AuditEvent:
    """Write one audit row. Call it inside the transaction of the change it records."""
    label = getattr(actor, "username", None) or "system"
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label,
        organization=organization,
        via=via,
        details=details or {},
        remote_addr=remote_addr,
    )
