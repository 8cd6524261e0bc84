from datetime import timedelta

from yearend.notices.services import notices_send_due
from yearend.scheduling.periodic import periodic


# Every five minutes: a held import or a failed reset is news that should not wait for
# tomorrow, and a pass that finds nothing new costs a handful of indexed queries (the
# reminders' unique keys make the daily ones idempotent however often it runs).
@periodic("notices.send_due", every=timedelta(minutes=5), queue="notices")
def send_due_notices() -> None:
    notices_send_due()
