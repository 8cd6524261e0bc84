from yearend.audit.models import Via
from yearend.commands import ServiceCommand
from yearend.organizations.selectors import organization_by_site_code
from yearend.resetdates.parsing import user_by_username
from yearend.resets.engine import reset_advance
from yearend.resets.models import Status
from yearend.resets.offschedule import (
    offschedule_approve,
    offschedule_reject,
    offschedule_request,
    offschedule_request_by_id,
)


class Command(ServiceCommand):
    help = "Request an off-schedule reset, or approve/reject one as a second operations user."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        request = sub.add_parser("request", help="ask for a reset of an organization now")
        request.add_argument("--org", required=True, help="site code")
        request.add_argument("--reason", required=True)
        request.add_argument("--user", required=True, help="operations username asking")
        approve = sub.add_parser("approve", help="approve (not your own) and start the run")
        approve.add_argument("request_id", type=int)
        approve.add_argument("--user", required=True, help="operations username approving")
        approve.add_argument("--wait", action="store_true", help="run it here until it ends")
        reject = sub.add_parser("reject", help="reject or withdraw an open request")
        reject.add_argument("request_id", type=int)
        reject.add_argument("--user", required=True, help="operations username rejecting")
        reject.add_argument("--note", default="")

    def handle(self, *args, **options):
        user = user_by_username(options["user"])
        action = options["action"]
        if action == "request":
            request = offschedule_request(
                organization=organization_by_site_code(options["org"]),
                reason=options["reason"],
                acting_user=user,
                via=Via.COMMAND,
            )
            self.stdout.write(
                f"Off-schedule request {request.pk} for {request.organization.site_code} is "
                "waiting for a second operations user to approve it."
            )
            return
        request = offschedule_request_by_id(options["request_id"])
        if action == "reject":
            offschedule_reject(
                request=request, acting_user=user, note=options["note"], via=Via.COMMAND
            )
            self.stdout.write(f"Off-schedule request {request.pk} rejected; nothing runs.")
            return
        run = offschedule_approve(request=request, acting_user=user, via=Via.COMMAND)
        if options["wait"]:
            run = reset_advance(run.pk, inline=True)
        self.stdout.write(
            f"Approved request {request.pk}: Run {run.pk} of {request.organization.site_code} "
            f"({run.cycle.year}) {run.status}, step {run.step}."
        )
        if run.status == Status.FAILED:
            self.stderr.write(f"Run {run.pk} failed at {run.failed_step}: {run.error}")
