from yearend.audit.models import Via
from yearend.commands import ServiceCommand
from yearend.errors import InvalidInput
from yearend.organizations.selectors import organization_by_site_code, school_by_name
from yearend.people.models import Role
from yearend.people.services import user_create


class Command(ServiceCommand):
    help = "Create an educator or vendor-staff account."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--org", help="site code; required for educators")
        parser.add_argument(
            "--school",
            action="append",
            default=[],
            dest="schools",
            help="school name (teachers, school administrators); repeatable",
        )
        parser.add_argument("--password", help="default: a generated one, printed once")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options):
        organization = organization_by_site_code(options["org"]) if options["org"] else None
        if options["schools"] and organization is None:
            raise InvalidInput("--school needs --org.")
        schools = [school_by_name(organization, name) for name in options["schools"]]
        user, password = user_create(
            username=options["username"],
            role=options["role"],
            organization=organization,
            schools=schools,
            password=options["password"],
            email=options["email"],
            via=Via.COMMAND,
        )
        where = f" of {organization.site_code}" if organization else ""
        self.stdout.write(f"Created {user.get_role_display()} {user.username}{where}.")
        if not options["password"]:
            self.stdout.write(f"Password: {password}")
