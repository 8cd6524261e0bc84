"""The api_token command: create (secret printed once), list, revoke."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yearend.api.models import ApiToken
from yearend.api.tests.conftest import ApiClient
from yearend.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db]


def run(*args) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_creates_lists_and_revokes_a_token(district_admin):
    secret = run("create", "--user", "home-da", "--name", "cron", "--scope", "read").strip()
    assert ApiClient(secret).get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get()
    assert token.prefix in run("list", "--user", "home-da")
    assert secret not in run("list", "--user", "home-da")
    run("revoke", token.prefix)
    assert ApiClient(secret).get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.get(action="api.token_revoke").via == "command"


def test_an_unknown_user_is_one_line_and_an_exit_code(db):
    with pytest.raises(CommandError, match="No user 'nobody'"):
        run("create", "--user", "nobody", "--name", "x")
