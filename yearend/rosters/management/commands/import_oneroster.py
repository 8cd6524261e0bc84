import json
import sys

from yearend.commands import ServiceCommand
from yearend.errors import NotFound
from yearend.organizations.selectors import organization_by_site_code
from yearend.rosters.models import ImportRun
from yearend.rosters.services import ImportHeld, ImportRefused, roster_import

STAGES = [
    "reading",
    "validating",
    "comparing",
    "schools",
    "educators",
    "classes",
    "students",
    "enrollments",
    "done",
]


class Command(ServiceCommand):
    help = (
        "Import a OneRoster CSV bundle (.zip or folder) into one organization. "
        "Exit 0 applied (or would apply), 1 refused, 3 held for review."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--org", required=True, help="site code")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true", help="print the run record as JSON")

    def handle(self, *args, **options):
        organization = organization_by_site_code(options["org"])
        if organization is None:
            raise NotFound(f"No organization with site code {options['org']}.")
        progress = None
        if sys.stderr.isatty() and not options["json"]:
            progress = self._progress
        run = roster_import(
            organization=organization,
            path=options["path"],
            dry_run=options["dry_run"],
            progress=progress,
        )
        if progress:
            sys.stderr.write("\n")
        if options["json"]:
            self.stdout.write(json.dumps(run.as_dict(), indent=2))
        else:
            self._report(run)
        if run.status == ImportRun.Status.REFUSED:
            raise ImportRefused(run.message)
        if run.status == ImportRun.Status.HELD:
            raise ImportHeld(run.message)

    def _progress(self, stage: str) -> None:
        done = STAGES.index(stage) + 1 if stage in STAGES else 0
        bar = "#" * done + "-" * (len(STAGES) - done)
        sys.stderr.write(f"\r[{bar}] {stage:<12}")
        sys.stderr.flush()

    def _report(self, run: ImportRun) -> None:
        for line in run.notices:
            self.stdout.write(f"notice: {line}")
        for line in run.errors:
            self.stdout.write(f"error: {line}")
        for kind, counts in run.counts.items():
            self.stdout.write(
                f"{kind}: {counts['added']} added, {counts['changed']} changed, "
                f"{counts['removed']} removed (of {counts['existing']})"
            )
        if run.school_year:
            self.stdout.write(f"school year: {run.school_year}")
        if run.status in (ImportRun.Status.APPLIED, ImportRun.Status.WOULD_APPLY):
            self.stdout.write(run.message)
