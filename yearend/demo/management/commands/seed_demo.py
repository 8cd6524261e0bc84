import sys
import time
from datetime import date

from tqdm import tqdm

from yearend.commands import ServiceCommand
from yearend.demo.seeding import seed_demo
from yearend.errors import InvalidInput


class Command(ServiceCommand):
    help = "Create realistic, deterministic demo organizations, people, classes and product data."

    def add_arguments(self, parser):
        parser.add_argument("--organizations", type=int, default=3)
        parser.add_argument("--students-per-org", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="the day the data is 'as of' (YYYY-MM-DD); default today",
        )

    def handle(self, *args, **options):
        if options["organizations"] < 1:
            raise InvalidInput("--organizations must be at least 1.")
        if options["students_per_org"] < 0:
            raise InvalidInput("--students-per-org may not be negative.")
        total = options["organizations"] * options["students_per_org"]
        started = time.perf_counter()
        with tqdm(
            total=total, unit="students", file=sys.stderr, disable=None, desc="Seeding"
        ) as bar:
            result = seed_demo(
                organizations=options["organizations"],
                students_per_org=options["students_per_org"],
                seed=options["seed"],
                as_of=options["as_of"],
                progress=bar.update,
            )
        elapsed = time.perf_counter() - started
        codes = ", ".join(o.site_code for o in result.organizations)
        self.stdout.write(
            f"Seeded {codes}: {total} students, {result.total_rows} rows in {elapsed:.1f}s "
            f"({result.total_rows / max(elapsed, 1e-9):,.0f} rows/s)."
        )
        self.stdout.write("Demo logins:")
        for role, username, password in result.logins:
            self.stdout.write(f"  {role:<26} {username:<28} password: {password}")
