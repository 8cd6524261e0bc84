from datetime import timedelta

from yearend.rosters.services import sync_sources_check_all
from yearend.scheduling.periodic import periodic


@periodic("rosters.check_sync_sources", every=timedelta(minutes=5))
def check_sync_sources() -> None:
    sync_sources_check_all()
