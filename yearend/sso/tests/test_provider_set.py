"""Customer success gives an organization its provider: the command, the admin, the rules."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from yearend.audit.models import AuditEvent
from yearend.sso.models import OidcProvider

pytestmark = [pytest.mark.core, pytest.mark.django_db]

SECRET = "GOCSPX-very-secret-value"
ISSUER_AND_CLIENT = ("--org", "HOME01", "--issuer", "https://login.example.org", "--client-id", "c")


def run(*args, stdin: str = "") -> str:
    out = io.StringIO()
    before, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("oidc_provider_set", *args, stdout=out)
    finally:
        sys.stdin = before
    return out.getvalue()


def test_the_command_gives_an_organization_its_provider_and_never_shows_the_secret(org):
    out = run(
        "--org", "home01", "--issuer", "https://accounts.google.com",
        "--client-id", "123.apps.googleusercontent.com", "--client-secret", SECRET,
    )  # fmt: skip

    provider = OidcProvider.tenant.of(org).get()
    assert (provider.issuer, provider.client_id, provider.client_secret) == (
        "https://accounts.google.com",
        "123.apps.googleusercontent.com",
        SECRET,
    )
    assert provider.enabled
    assert SECRET not in out and "never shown" in out
    event = AuditEvent.objects.get(action="sso.provider_set")
    assert event.organization == org and event.via == "command"
    assert SECRET not in str(event.details) and event.details["secret_changed"] is True


def test_disable_keeps_the_settings_and_a_second_set_enables_again(org):
    run(*ISSUER_AND_CLIENT, "--client-secret", "-", stdin="s1\n")
    assert OidcProvider.tenant.of(org).get().client_secret == "s1"

    run("--org", "HOME01", "--disable")
    provider = OidcProvider.tenant.of(org).get()
    assert not provider.enabled and provider.client_id == "c" and provider.client_secret == "s1"

    run("--org", "HOME01", "--client-id", "c2")
    provider.refresh_from_db()
    assert provider.enabled and provider.client_id == "c2" and provider.client_secret == "s1"
    assert AuditEvent.objects.filter(action="sso.provider_set").count() == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--issuer", "http://x.example", "--client-id", "c", "--client-secret", "s"], "https URL"),
        (["--issuer", "https://x.example", "--client-id", "c"], "missing: client_secret"),
        (["--disable"], "no provider to disable"),
        (["--issuer", "https://x.example?a", "--client-id", "c", "--client-secret", "s"], "query"),
    ],
)
def test_the_command_refuses_what_cannot_work_and_changes_nothing(org, args, message):
    with pytest.raises(CommandError, match=message):
        run("--org", "HOME01", *args)
    assert not OidcProvider.tenant.of(org).exists()
    assert not AuditEvent.objects.filter(action="sso.provider_set").exists()


def test_an_unknown_site_code_is_refused(db):
    with pytest.raises(CommandError, match="No organization has the site code"):
        run("--org", "NOPE", "--disable")


def test_the_admin_never_renders_the_secret_and_keeps_it_when_left_empty(client, org, ops):
    run(*ISSUER_AND_CLIENT, "--client-secret", SECRET)
    provider = OidcProvider.tenant.of(org).get()
    ops.is_staff = ops.is_superuser = True
    ops.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(ops)
    url = f"/admin/sso/oidcprovider/{provider.pk}/change/"

    page = client.get(url)
    assert page.status_code == 200 and SECRET not in page.content.decode()

    saved = client.post(
        url,
        {
            "organization": org.pk,
            "issuer": "https://login.example.org",
            "client_id": "c-new",
            "client_secret": "",
            "roster_id_claim": "",
            "enabled": "",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    provider.refresh_from_db()
    assert (provider.client_id, provider.client_secret) == ("c-new", SECRET)
    assert not provider.enabled
    assert AuditEvent.objects.filter(action="sso.provider_set", via="portal").count() == 1
