"""Make sure the demo shows notices: one pass, so the demo users have some to read.

Runs after the reset calendar's demo setup (app order), so the date assignments it made
are there to be announced. Idempotent: a second pass records nothing new.
"""

from django.conf import settings
from django.core import mail

from yearend.notices.services import notices_send_due

CONSOLE = "django.core.mail.backends.console.EmailBackend"


def prepare() -> None:
    connection = None
    if settings.EMAIL_BACKEND == CONSOLE:
        # Startup mails printed to the console would scroll the demo logins away: they go
        # to files instead (the portal shows them too); later passes use the console.
        connection = mail.get_connection(
            "django.core.mail.backends.filebased.EmailBackend",
            file_path=settings.EMAIL_FILE_PATH,
        )
    result = notices_send_due(connection=connection)
    if result["recorded"]:
        where = f" (mails in {settings.EMAIL_FILE_PATH})" if connection else ""
        print(f"Notices: {result['recorded']} recorded, {result['sent']} sent{where}.")
