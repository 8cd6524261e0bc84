import json

from yearend.commands import ServiceCommand
from yearend.organizations.selectors import organization_by_site_code
from yearend.resets import calendar_link
from yearend.resets.selectors import reset_preview


class Command(ServiceCommand):
    help = "Show what a reset of an organization would delete and keep (a dry run)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="site code")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        organization = organization_by_site_code(options["org"])
        try:
            cycle = calendar_link.cycle_for_today(organization)
            reset_date = calendar_link.reset_date_for(organization, cycle)
        except Exception:
            reset_date = None
        preview = reset_preview(organization, reset_date=reset_date)
        if options["json"]:
            self.stdout.write(json.dumps(preview, indent=2))
            return
        self.stdout.write(f"Reset preview of {preview['site_code']} (date: {reset_date or '-'})")
        self.stdout.write("Deletes:")
        for name, count in preview["delete"].items():
            self.stdout.write(f"  {name:<22} {count:>10,}")
        self.stdout.write("Keeps:")
        for name, count in preview["retain"].items():
            self.stdout.write(f"  {name:<22} {count:>10,}")
        for school in preview["schools"]:
            self.stdout.write(
                f"  {school['name']}: {school['delete'].get('students', 0):,} students"
            )
