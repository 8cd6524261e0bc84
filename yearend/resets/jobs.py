from datetime import timedelta

from django.conf import settings

from yearend.resets import dispatch
from yearend.scheduling.periodic import periodic


@periodic("resets.tick", every=timedelta(seconds=settings.RESET_TICK_SECONDS), queue="resets")
def reset_tick() -> None:
    dispatch.reset_tick()
