"""Found by the reset engine (autodiscover "reset_hooks"): the year-end archive is frozen
at the snapshot step and cited, with its scheduled destruction, on the certificate; and
notices reads, through the same hooks, whether a district downloaded its export and until
when its archive is kept."""

from yearend.reports.archive import archive_for_reset, snapshot_hook
from yearend.reports.facts import archives_still_kept, last_district_export_downloads
from yearend.resets.hooks import (
    register_certificate_section,
    register_kept_archives,
    register_last_export_downloads,
    register_snapshot_hook,
)

register_snapshot_hook(snapshot_hook)
register_certificate_section(
    "year_end_archive", lambda run: archive_for_reset(run.organization, run.pk)
)
register_last_export_downloads(last_district_export_downloads)
register_kept_archives(archives_still_kept)
