import sys

from django.core.management.base import CommandError

from yearend.audit.models import Via
from yearend.commands import ServiceCommand
from yearend.organizations.models import Organization
from yearend.sso.services import oidc_provider_set


class Command(ServiceCommand):
    help = (
        "Give an organization its OpenID Connect provider (sign-in with a district account), "
        "change it, or turn it off. The client secret is stored and never shown."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organization's site code")
        parser.add_argument("--issuer", help="e.g. https://accounts.google.com")
        parser.add_argument("--client-id")
        parser.add_argument(
            "--client-secret",
            help="the secret, or - to read it from standard input (keeps it out of the "
            "shell history and the process list)",
        )
        parser.add_argument(
            "--roster-id-claim",
            help="the claim that carries the educator's roster sourcedId (optional)",
        )
        parser.add_argument(
            "--disable", action="store_true", help="turn sign-in with this provider off"
        )

    def handle(self, *args, **options):
        organization = Organization.objects.filter(site_code__iexact=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization has the site code {options['org']!r}.")
        secret = options["client_secret"]
        if secret == "-":  # noqa: S105 (the flag's "read from stdin", not a password)
            secret = sys.stdin.readline().strip()
        provider = oidc_provider_set(
            organization=organization,
            issuer=options["issuer"],
            client_id=options["client_id"],
            client_secret=secret,
            roster_id_claim=options["roster_id_claim"],
            enabled=not options["disable"],
            via=Via.COMMAND,
        )
        state = "enabled" if provider.enabled else "disabled"
        claim = provider.roster_id_claim
        self.stdout.write(
            f"{organization}: sign-in with a district account {state}; issuer "
            f"{provider.issuer}, client id {provider.client_id}"
            f"{', roster id claim ' + claim if claim else ''}. "
            "The client secret is stored and never shown."
        )
