from yearend.audit.models import Via
from yearend.commands import ServiceCommand
from yearend.resetdates.models import ResetCycle
from yearend.resetdates.parsing import parse_day, parse_days
from yearend.resetdates.services import reset_cycle_create


class Command(ServiceCommand):
    help = "Add a reset cycle (its default dates and window), or list the cycles."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="add the cycle of YEAR")
        create.add_argument("year", type=int)
        create.add_argument("--defaults", required=True, help="YYYY-MM-DD,YYYY-MM-DD,...")
        create.add_argument("--window-start", help="first allowed day (default: Jun 1)")
        create.add_argument("--window-end", help="last allowed day (default: Oct 1)")
        sub.add_parser("list", help="list every cycle")

    def handle(self, *args, **options):
        if options["action"] == "list":
            for cycle in ResetCycle.objects.prefetch_related("defaults"):
                defaults = ", ".join(d.date.isoformat() for d in cycle.defaults.all())
                self.stdout.write(
                    f"{cycle.year}: window {cycle.window_start} to {cycle.window_end}; "
                    f"defaults {defaults}"
                )
            return
        cycle = reset_cycle_create(
            year=options["year"],
            defaults=parse_days(options["defaults"], option="--defaults"),
            window_start=options["window_start"]
            and parse_day(options["window_start"], option="--window-start"),
            window_end=options["window_end"]
            and parse_day(options["window_end"], option="--window-end"),
            via=Via.COMMAND,
        )
        defaults = ", ".join(d.isoformat() for d in cycle.defaults.values_list("date", flat=True))
        self.stdout.write(
            f"Created the {cycle.year} reset cycle: window {cycle.window_start} to "
            f"{cycle.window_end}, defaults {defaults}."
        )
