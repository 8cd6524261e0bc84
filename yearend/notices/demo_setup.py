"""Make sure the demo shows notices: one pass, so the demo users have some to read.

Runs after the reset calendar's demo setup (app order), so the date assignments it made
are there to be announced. Idempotent: a second pass records nothing new.
"""

from yearend.notices.services import notices_send_due


def prepare() -> None:
    notices_send_due()
