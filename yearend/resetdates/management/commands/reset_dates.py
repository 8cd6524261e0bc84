from yearend.audit.models import Via
from yearend.commands import ServiceCommand
from yearend.resetdates.selectors import cycle_for
from yearend.resetdates.services import reset_dates_assign


class Command(ServiceCommand):
    help = "Assign default reset dates to every organization that has none in a cycle."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        assign = sub.add_parser("assign", help="assign default dates (idempotent)")
        assign.add_argument("--cycle", type=int, help="year (default: the current cycle)")
        assign.add_argument(
            "--capacity", type=int, help="at most N organizations on any default date"
        )

    def handle(self, *args, **options):
        cycle = cycle_for(options["cycle"])
        result = reset_dates_assign(cycle=cycle, capacity=options["capacity"], via=Via.COMMAND)
        self.stdout.write(
            f"{cycle.year} reset: {result.assigned} organization(s) assigned a default date, "
            f"{result.already_set} already had a date."
        )
        for load in result.per_default:
            self.stdout.write(
                f"  {load.date:%a %Y-%m-%d}: {load.organizations} organization(s), "
                f"{load.students} student(s) ({load.newly_assigned} newly assigned)"
            )
        if result.on_other_dates:
            self.stdout.write(f"  other chosen dates: {result.on_other_dates} organization(s)")
