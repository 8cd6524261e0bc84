from datetime import timedelta

from yearend.periodic import periodic


@periodic("resets.tick", every=timedelta(minutes=1), queue="resets")
def reset_tick() -> None:
    from yearend.resets.services import reset_tick as tick

    tick()
