"""Create, list and revoke personal API tokens from the command line (operations)."""

from django.utils import timezone

from yearend.api.models import ApiToken, Scope
from yearend.api.services import (
    DEFAULT_LIFETIME_DAYS,
    api_token_create,
    api_token_revoke,
    api_tokens_of,
)
from yearend.audit.models import Via
from yearend.commands import ServiceCommand
from yearend.errors import NotFound
from yearend.people.models import Role, User


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"No user {username!r}.", field="user")
    return user


class Command(ServiceCommand):
    help = "Create (the secret is printed once), list or revoke a user's API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--scope", choices=Scope.values, default=Scope.READ)
        create.add_argument("--days", type=int, default=DEFAULT_LIFETIME_DAYS)
        listing = sub.add_parser("list")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix", help="the token's first characters, as listed")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            created = api_token_create(
                user=_user(options["user"]),
                name=options["name"],
                scope=options["scope"],
                lifetime_days=options["days"],
                via=Via.COMMAND,
            )
            self.stdout.write(created.secret)
            self.stderr.write(
                f"Token {created.token.prefix}… ({created.token.scope}) expires "
                f"{created.token.expires_at:%Y-%m-%d}. It is shown only this once."
            )
        elif action == "list":
            now = timezone.now()
            for token in api_tokens_of(_user(options["user"])):
                state = (
                    "revoked"
                    if token.revoked_at
                    else "expired"
                    if token.expires_at <= now
                    else "active"
                )
                self.stdout.write(
                    f"{token.prefix}  {token.scope:10}  {state:7}  "
                    f"expires {token.expires_at:%Y-%m-%d}  {token.name}"
                )
        else:
            token = ApiToken.objects.select_related("user").filter(prefix=options["prefix"]).first()
            if token is None:
                raise NotFound(f"No token starting {options['prefix']!r}.", field="prefix")
            # The command line acts as operations: any user's token may be revoked.
            operator = User(username="command", role=Role.OPS)
            api_token_revoke(token=token, acting_user=operator, via=Via.COMMAND)
            self.stdout.write(f"Revoked {token.prefix}… of {token.user.username}.")
