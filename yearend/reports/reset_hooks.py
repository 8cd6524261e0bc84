"""Found by the reset engine (autodiscover "reset_hooks"): the year-end archive is frozen
at the snapshot step and cited, with its scheduled destruction, on the certificate."""

from yearend.reports.archive import archive_for_reset, snapshot_hook
from yearend.resets.hooks import register_certificate_section, register_snapshot_hook

register_snapshot_hook(snapshot_hook)
register_certificate_section(
    "year_end_archive", lambda run: archive_for_reset(run.organization, run.pk)
)
