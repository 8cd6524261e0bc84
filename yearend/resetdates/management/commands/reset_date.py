import json

from yearend.audit.models import Via
from yearend.commands import ServiceCommand
from yearend.organizations.selectors import organization_by_site_code
from yearend.resetdates import selectors
from yearend.resetdates.parsing import parse_day, user_by_username
from yearend.resetdates.services import reset_date_set


class Command(ServiceCommand):
    help = "Set, show or list the allowed reset dates of one organization."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        set_ = sub.add_parser("set", help="move the reset date (within the rules)")
        set_.add_argument("--org", required=True, help="site code")
        set_.add_argument("--date", required=True, help="YYYY-MM-DD")
        set_.add_argument("--user", required=True, help="username acting")
        set_.add_argument("--reason", default="", help="why (required for a CSM)")
        set_.add_argument("--cycle", type=int, help="year (default: the current cycle)")
        show = sub.add_parser("show", help="the date, its source and history")
        show.add_argument("--org", required=True)
        show.add_argument("--cycle", type=int)
        show.add_argument("--json", action="store_true")
        allowed = sub.add_parser("allowed", help="every day a district administrator could pick")
        allowed.add_argument("--org", required=True)
        allowed.add_argument("--cycle", type=int)
        allowed.add_argument("--json", action="store_true")
        feed = sub.add_parser("feed-url", help="the private calendar (iCalendar) URL path")
        feed.add_argument("--org", required=True)

    def handle(self, *args, **options):
        organization = organization_by_site_code(options["org"])
        action = options["action"]
        if action == "feed-url":
            self.stdout.write(selectors.calendar_feed_path(organization))
            return
        cycle = selectors.cycle_for(options["cycle"])
        if action == "set":
            result = reset_date_set(
                organization=organization,
                cycle=cycle,
                new_date=parse_day(options["date"], option="--date"),
                acting_user=user_by_username(options["user"]),
                reason=options["reason"],
                via=Via.COMMAND,
            )
            self.stdout.write(result.reset_date.reset_date.isoformat())
            for warning in result.warnings:
                self.stderr.write(warning)
        elif action == "show":
            shown = selectors.reset_date_show(organization, cycle)
            if options["json"]:
                self.stdout.write(json.dumps(shown))
                return
            self.stdout.write(
                f"{shown['site_code']} {shown['cycle']}: {shown['reset_date'] or 'no date'} "
                f"({shown['source'] or '-'}{', locked' if shown['locked'] else ''})"
            )
            for change in shown["history"]:
                self.stdout.write(
                    f"  {change['at']} {change['by']} via {change['via']}: "
                    f"{change['from'] or '-'} -> {change['to']} {change['reason']}".rstrip()
                )
        else:
            days = selectors.allowed_days_for(organization, cycle)
            if options["json"]:
                self.stdout.write(json.dumps([d.isoformat() for d in days]))
            else:
                for day in days:
                    self.stdout.write(f"{day.isoformat()} {day:%a}")
