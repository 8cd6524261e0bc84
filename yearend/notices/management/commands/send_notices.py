"""python manage.py send_notices [--as-of YYYY-MM-DD]: one pass of the notices."""

import json
from datetime import date

from django.core.management.base import CommandError

from yearend.commands import ServiceCommand
from yearend.notices.services import notices_send_due


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of {text!r} is not a date: use YYYY-MM-DD.") from None


class Command(ServiceCommand):
    help = (
        "Record and send every notice due now: reminders before resets, confirmations "
        "after them, alerts to operations. Safe to run again: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=_day,
            help="replay a day (YYYY-MM-DD): it is then 'today' in every time zone",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        result = notices_send_due(as_of=options["as_of"])
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"Notices: {result['recorded']} recorded, {result['sent']} sent, "
            f"{result['cancelled']} cancelled (date moved), {result['retry']} to retry, "
            f"{result['failed']} failed."
        )
