from yearend.audit.models import Via
from yearend.commands import ServiceCommand
from yearend.organizations.models import Organization
from yearend.organizations.services import organization_create


class Command(ServiceCommand):
    help = "Onboard a customer organization with its schools and product licences."

    def add_arguments(self, parser):
        parser.add_argument("--site-code", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--time-zone", required=True, help="IANA name, e.g. America/Chicago")
        parser.add_argument("--country", required=True, help="ISO 3166 code, e.g. US")
        parser.add_argument("--subdivision", default="", help="e.g. TX (holiday calendar)")
        parser.add_argument(
            "--kind", default=Organization.Kind.DISTRICT, choices=Organization.Kind.values
        )
        parser.add_argument(
            "--school",
            action="append",
            default=[],
            dest="schools",
            help="a school's name; repeat for several",
        )

    def handle(self, *args, **options):
        organization = organization_create(
            site_code=options["site_code"],
            name=options["name"],
            time_zone=options["time_zone"],
            country=options["country"],
            subdivision=options["subdivision"],
            kind=options["kind"],
            school_names=options["schools"],
            via=Via.COMMAND,
        )
        self.stdout.write(f"Created {organization} with {len(options['schools'])} school(s).")
