from yearend.commands import ServiceCommand
from yearend.errors import InvalidInput
from yearend.testing.make_oneroster import make_oneroster


class Command(ServiceCommand):
    help = (
        "Write a valid synthetic OneRoster 1.1 bundle (folder, or .zip) for benchmarks and demos."
    )

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--students", type=int, required=True)
        parser.add_argument("--teachers", type=int)
        parser.add_argument("--classes", type=int)
        parser.add_argument("--school-year", type=int, default=2025)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        for name in ("students", "teachers", "classes"):
            if options[name] is not None and options[name] < (0 if name == "students" else 1):
                raise InvalidInput(f"--{name} must be a positive number.")
        counts = make_oneroster(
            options["out"],
            students=options["students"],
            teachers=options["teachers"],
            classes=options["classes"],
            school_year=options["school_year"],
            seed=options["seed"],
        )
        summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
        self.stdout.write(f"Wrote {options['out']}: {summary}.")
