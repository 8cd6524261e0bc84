from datetime import timedelta

from django.conf import settings

from yearend.scheduling.periodic import periodic


@periodic("resets.tick", every=timedelta(seconds=settings.RESET_TICK_SECONDS), queue="resets")
def reset_tick() -> None:
    from yearend.resets.services import reset_tick as tick

    tick()
