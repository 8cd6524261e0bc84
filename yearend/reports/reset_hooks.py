"""Found by the reset engine's snapshot step (autodiscover "reset_hooks")."""

from yearend.reports.archive import snapshot_hook
from yearend.resets.hooks import register_snapshot_hook

register_snapshot_hook(snapshot_hook)
