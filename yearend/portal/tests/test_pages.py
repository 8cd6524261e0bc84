import pytest
from django.urls import reverse

from yearend.people.models import Role

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_the_login_page_is_served(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_it_sends_strangers_to_the_login_page(client, org):
    response = client.get(reverse("portal:organization", args=[org.site_code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_district_admin_signs_in_and_sees_their_organization(client, org, district_admin):
    response = client.post(
        reverse("login"), {"username": "home-da", "password": "correct-horse-battery"}, follow=True
    )
    assert response.status_code == 200
    assert b"Home District" in response.content
    assert b"North Elementary" in response.content


def test_an_outsider_gets_404_for_another_organization(client, org, outsider):
    client.force_login(outsider)
    response = client.get(reverse("portal:organization", args=[org.site_code]))
    assert response.status_code == 404
    assert b"Home District" not in response.content


def test_vendor_staff_list_every_organization(client, org, other_org, csm):
    client.force_login(csm)
    response = client.get(reverse("portal:home"))
    assert b"HOME01" in response.content and b"AWAY01" in response.content


def test_a_teacher_does_not_see_other_schools(client, org, make_user):
    from yearend.organizations.models import School

    north = School.tenant.of(org).get(name="North Elementary")
    teacher = make_user(Role.TEACHER, org, schools=[north])
    client.force_login(teacher)
    response = client.get(reverse("portal:organization", args=[org.site_code]))
    assert b"North Elementary" in response.content
    assert b"South Middle" not in response.content


def test_the_organization_page_shows_the_reset_date_and_where_to_act(client, org, district_admin):
    from datetime import date

    from yearend.resetdates.models import OrganizationResetDate, ResetCycle

    cycle = ResetCycle.objects.create(
        year=2099, window_start=date(2099, 6, 1), window_end=date(2099, 10, 1)
    )
    OrganizationResetDate.unscoped.create(
        organization=org, cycle=cycle, reset_date=date(2099, 7, 17), source="default"
    )
    client.force_login(district_admin)
    response = client.get(reverse("portal:organization", args=[org.site_code]))
    assert b"Friday, July 17, 2099" in response.content
    assert reverse("portal:date", args=[org.site_code]).encode() in response.content
    assert reverse("portal:reset", args=[org.site_code]).encode() in response.content


def test_a_teacher_gets_no_reset_controls(client, org, make_user):
    teacher = make_user(Role.TEACHER, org)
    client.force_login(teacher)
    response = client.get(reverse("portal:organization", args=[org.site_code]))
    for name in ("portal:date", "portal:reset", "portal:syncs", "portal:educators"):
        assert reverse(name, args=[org.site_code]).encode() not in response.content
