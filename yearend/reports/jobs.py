from datetime import timedelta

from yearend.reports.archive import archive_destroy_expired
from yearend.reports.services import export_files_expire
from yearend.scheduling.periodic import periodic


@periodic("reports.expire_files", every=timedelta(hours=1))
def expire_files() -> None:
    export_files_expire()
    archive_destroy_expired()
