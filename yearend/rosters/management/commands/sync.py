import json

from yearend.commands import ServiceCommand
from yearend.errors import NotFound
from yearend.organizations.selectors import organization_by_site_code
from yearend.rosters.selectors import import_runs_of, pending_holds_of
from yearend.rosters.syncs.pausing import sync_pause_manual, sync_resume_manual, sync_state_for


class Command(ServiceCommand):
    help = "Pause, resume or show an organization's roster syncs."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["pause", "resume", "status"])
        parser.add_argument("--org", required=True, help="site code")
        parser.add_argument("--note", default="")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        organization = organization_by_site_code(options["org"])
        if organization is None:
            raise NotFound(f"No organization with site code {options['org']}.")
        if options["action"] == "pause":
            sync_pause_manual(organization=organization, note=options["note"])
        elif options["action"] == "resume":
            sync_resume_manual(organization=organization)
        state = sync_state_for(organization)
        last = import_runs_of(organization).first()
        status = {
            "organization": organization.site_code,
            "paused": state.is_paused,
            "paused_by_reset": state.reset_paused_at is not None,
            "paused_by_hand": state.manual_paused_at is not None,
            "manual_paused_at": state.manual_paused_at.isoformat()
            if state.manual_paused_at
            else None,
            "import_running": state.import_started_at is not None,
            "held_imports": pending_holds_of(organization).count(),
            "last_run": last.as_dict() if last else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(status, indent=2))
            return
        why = []
        if status["paused_by_reset"]:
            why.append("a school-year reset is running")
        if status["paused_by_hand"]:
            why.append(f"paused by {state.manual_paused_by or 'an administrator'}")
        self.stdout.write(
            f"{organization.site_code}: syncs "
            + (f"paused ({'; '.join(why)})" if why else "running")
        )
        if last:
            self.stdout.write(f"last import: {last.status} at {last.started_at:%Y-%m-%d %H:%M}")
        if status["held_imports"]:
            self.stdout.write(f"held imports waiting for review: {status['held_imports']}")
