from yearend.commands import ServiceCommand
from yearend.organizations.selectors import organization_by_site_code
from yearend.rosters.syncs.sources import sync_source_delete


class Command(ServiceCommand):
    help = "Remove an organization's sync source (its import runs and holds are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="site code")

    def handle(self, *args, **options):
        organization = organization_by_site_code(options["org"])
        sync_source_delete(organization=organization)
        self.stdout.write(f"{organization.site_code}: sync source removed")
