"""Operations onboard customers from the command line; bad input is one line and no change."""

import pytest
from django.core.management import CommandError, call_command

from yearend.audit.models import AuditEvent
from yearend.organizations.models import Licence, Organization, School
from yearend.people.models import SchoolMembership, User

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _snapshot():
    return (
        Organization.objects.count(),
        School.unscoped.count(),
        User.objects.count(),
        Licence.unscoped.count(),
        AuditEvent.objects.count(),
    )


def _refused(*args, match: str):
    before = _snapshot()
    with pytest.raises(CommandError, match=match) as caught:
        call_command(*args)
    assert caught.value.returncode != 0
    assert "\n" not in str(caught.value)
    assert _snapshot() == before


def test_it_creates_an_organization_with_schools_and_licences(capsys):
    call_command(
        "create_organization",
        "--site-code",
        "TX001",
        "--name",
        "Lone Star ISD",
        "--time-zone",
        "America/Chicago",
        "--country",
        "us",
        "--subdivision",
        "tx",
        "--school",
        "Alamo Elementary",
        "--school",
        "Bluebonnet Middle",
    )
    org = Organization.objects.get(site_code="TX001")
    assert (org.country, org.subdivision) == ("US", "TX")
    assert set(School.tenant.of(org).values_list("name", flat=True)) == {
        "Alamo Elementary",
        "Bluebonnet Middle",
    }
    assert Licence.tenant.of(org).count() == 3
    assert AuditEvent.objects.filter(organization=org, action="organization.create").exists()
    assert "Created Lone Star ISD (TX001) with 2 school(s)." in capsys.readouterr().out


def test_it_refuses_an_unknown_time_zone():
    _refused(
        "create_organization",
        "--site-code",
        "X",
        "--name",
        "X",
        "--time-zone",
        "America/Atlantis",
        "--country",
        "US",
        match="Unknown time zone 'America/Atlantis'",
    )


def test_it_refuses_a_duplicate_site_code(org):
    _refused(
        "create_organization",
        "--site-code",
        org.site_code,
        "--name",
        "Y",
        "--time-zone",
        "UTC",
        "--country",
        "US",
        match="already taken",
    )


def test_it_refuses_an_unknown_country_or_subdivision():
    _refused(
        "create_organization",
        "--site-code",
        "X",
        "--name",
        "X",
        "--time-zone",
        "UTC",
        "--country",
        "ZZ",
        match="Unknown country 'ZZ'",
    )
    _refused(
        "create_organization",
        "--site-code",
        "X",
        "--name",
        "X",
        "--time-zone",
        "UTC",
        "--country",
        "US",
        "--subdivision",
        "QQ",
        match="Unknown subdivision 'QQ'",
    )


def test_it_refuses_repeated_school_names():
    _refused(
        "create_organization",
        "--site-code",
        "X",
        "--name",
        "X",
        "--time-zone",
        "UTC",
        "--country",
        "US",
        "--school",
        "A",
        "--school",
        "A",
        match="School names repeat",
    )


def test_it_creates_a_teacher_in_a_school(org, capsys):
    call_command(
        "create_user",
        "--username",
        "ms-frizzle",
        "--role",
        "teacher",
        "--org",
        org.site_code,
        "--school",
        "North Elementary",
    )
    teacher = User.objects.get(username="ms-frizzle")
    assert teacher.organization == org
    assert SchoolMembership.tenant.of(org).filter(user=teacher).count() == 1
    out = capsys.readouterr().out
    assert "Password: " in out  # generated, shown once
    assert teacher.check_password(out.split("Password: ")[1].strip())


def test_it_creates_operations_staff_with_the_admin_console():
    call_command("create_user", "--username", "oncall", "--role", "ops", "--password", "pw-12345")
    user = User.objects.get(username="oncall")
    assert user.is_staff and user.organization is None


def test_it_refuses_an_educator_without_organization():
    _refused("create_user", "--username", "t", "--role", "teacher", match="needs an organization")


def test_it_refuses_an_unknown_organization():
    _refused(
        "create_user",
        "--username",
        "t",
        "--role",
        "teacher",
        "--org",
        "NOPE",
        match="Unknown organization 'NOPE'",
    )


def test_it_refuses_an_unknown_school(org):
    _refused(
        "create_user",
        "--username",
        "t",
        "--role",
        "teacher",
        "--org",
        org.site_code,
        "--school",
        "Hogwarts",
        match="no school named 'Hogwarts'",
    )


def test_it_refuses_vendor_staff_with_an_organization(org):
    _refused(
        "create_user",
        "--username",
        "c",
        "--role",
        "csm",
        "--org",
        org.site_code,
        match="belongs to no organization",
    )


def test_it_refuses_a_taken_username(district_admin, org):
    _refused(
        "create_user",
        "--username",
        "HOME-DA",
        "--role",
        "teacher",
        "--org",
        org.site_code,
        match="already taken",
    )
