import json

from yearend.commands import ServiceCommand
from yearend.organizations.selectors import organization_by_site_code
from yearend.rosters.syncs.sources import TICK_MINUTES, schedule_minutes, sync_source_create


class Command(ServiceCommand):
    help = (
        "Give an organization a sync source: a drop folder its SIS writes OneRoster bundles into."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="site code")
        parser.add_argument("--folder", required=True, help="absolute path of the drop folder")
        parser.add_argument("--name", default="", help="a label, e.g. the SIS's name")
        parser.add_argument(
            "--schedule",
            default=f"{TICK_MINUTES}m",
            help=f"how often to look: minutes, or e.g. 30m, 6h, 1d (default {TICK_MINUTES}m)",
        )
        parser.add_argument("--disabled", action="store_true", help="create it switched off")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        organization = organization_by_site_code(options["org"])
        source = sync_source_create(
            organization=organization,
            folder=options["folder"],
            name=options["name"],
            every_minutes=schedule_minutes(options["schedule"]),
            enabled=not options["disabled"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(_as_dict(source), indent=2))
            return
        self.stdout.write(
            f"{organization.site_code}: sync source {source.folder} created, "
            f"checked every {source.check_every_minutes} minutes"
            + ("" if source.enabled else " (disabled)")
        )


def _as_dict(source) -> dict:
    return {
        "organization": source.organization.site_code,
        "name": source.name,
        "folder": source.folder,
        "enabled": source.enabled,
        "check_every_minutes": source.check_every_minutes,
        "last_checked_at": source.last_checked_at.isoformat() if source.last_checked_at else None,
    }
