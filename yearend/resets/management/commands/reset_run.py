import json

from django.core.management.base import CommandError

from yearend.audit.models import Via
from yearend.commands import ServiceCommand
from yearend.errors import NotFound
from yearend.organizations.selectors import organization_by_site_code
from yearend.resets.dispatch import reset_start_in_background
from yearend.resets.engine import reset_advance, reset_resume, reset_start
from yearend.resets.models import ResetRun, Status
from yearend.resets.selectors import latest_run, run_summary


class Command(ServiceCommand):
    help = "Start, show or resume an organization's reset run (operations)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        start = sub.add_parser(
            "start",
            help="break-glass: start a reset now from a server shell (audited); "
            "operations normally use reset_offschedule, which needs a second approver",
        )
        start.add_argument("--org", required=True)
        start.add_argument("--now", action="store_true", required=True)
        start.add_argument("--confirm", required=True, help="type the site code again")
        start.add_argument("--wait", action="store_true", help="run it here until it ends")
        show = sub.add_parser("show", help="the latest run of an organization")
        show.add_argument("--org", required=True)
        show.add_argument("--json", action="store_true")
        resume = sub.add_parser("resume", help="continue a failed or interrupted run")
        resume.add_argument("run_id", type=int)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "start":
            organization = organization_by_site_code(options["org"])
            # --wait drives the run here; without it the workers do.
            start = reset_start if options["wait"] else reset_start_in_background
            run, created = start(
                organization=organization, via=Via.COMMAND, confirm_site_code=options["confirm"]
            )
            if not created:
                self.stdout.write(
                    f"A reset of {organization.site_code} already exists for the "
                    f"{run.cycle.year} cycle: run {run.pk} ({run.status}, step {run.step})."
                )
            if options["wait"] and run.status == Status.RUNNING:
                run = reset_advance(run.pk, inline=True)
            self._report(run)
            if run.status == Status.FAILED:
                raise CommandError(f"Run {run.pk} failed at {run.failed_step}: {run.error}")
        elif action == "resume":
            try:
                run = ResetRun.unscoped.get(pk=options["run_id"])
            except ResetRun.DoesNotExist:
                raise NotFound(f"No reset run {options['run_id']}.") from None
            reset_resume(run=run, via=Via.COMMAND)
            run = reset_advance(run.pk, inline=True)
            self._report(run)
            if run.status == Status.FAILED:
                raise CommandError(f"Run {run.pk} failed at {run.failed_step}: {run.error}")
        else:
            organization = organization_by_site_code(options["org"])
            run = latest_run(organization)
            if run is None:
                raise NotFound(f"{organization.site_code} has no reset run yet.")
            if options["json"]:
                self.stdout.write(json.dumps(run_summary(run), indent=2))
            else:
                self._report(run)

    def _report(self, run):
        summary = run_summary(run)
        self.stdout.write(
            f"Run {summary['run_id']} of {summary['site_code']} ({summary['cycle']}): "
            f"{summary['status']}, step {summary['step']}"
        )
        for name, count in summary["counts"].items():
            self.stdout.write(f"  {name:<22} {count:>10,}")
        if summary["error"]:
            self.stdout.write(f"  error at {summary['failed_step']}: {summary['error']}")
        if summary["certificate"]:
            self.stdout.write(f"  certificate: {summary['certificate']}")
