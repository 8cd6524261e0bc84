import json

from yearend.commands import ServiceCommand
from yearend.rosters.management.commands.roster_source_create import _as_dict
from yearend.rosters.syncs.sources import sync_sources


class Command(ServiceCommand):
    help = "List every organization's roster sync source."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        sources = [_as_dict(s) for s in sync_sources()]
        if options["json"]:
            self.stdout.write(json.dumps(sources, indent=2))
            return
        if not sources:
            self.stdout.write("No sync sources.")
        for s in sources:
            self.stdout.write(
                f"{s['organization']}\t{s['name'] or '-'}\t{s['folder']}\t"
                f"every {s['check_every_minutes']} min\t"
                f"{'enabled' if s['enabled'] else 'disabled'}\t"
                f"last checked {s['last_checked_at'] or 'never'}"
            )
