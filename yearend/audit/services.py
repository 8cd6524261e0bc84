from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from yearend.audit.actions import AuditAction
from yearend.audit.models import AuditEvent, Via

# Where the current request came from, for every audit row written while it is handled.
# Set once by the API (and any adapter that knows the client), so services need not pass it.
_remote_addr: ContextVar[str | None] = ContextVar("audit_remote_addr", default=None)


@contextmanager
def audit_origin(remote_addr: str | None) -> Iterator[None]:
    """Audit rows written inside this block record ``remote_addr`` as where they came from."""
    token = _remote_addr.set(remote_addr or None)
    try:
        yield
    finally:
        _remote_addr.reset(token)


def audit_record(
    *,
    action: AuditAction,
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
        remote_addr=remote_addr or _remote_addr.get(),
    )
