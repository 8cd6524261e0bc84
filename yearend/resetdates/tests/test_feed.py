"""The private iCalendar feed: follows the date as it moves; a wrong token finds nothing."""

from datetime import date

import pytest

from yearend.resetdates.selectors import calendar_feed_path, calendar_feed_token
from yearend.resetdates.services import reset_date_set, reset_dates_assign
from yearend.resetdates.tests.conftest import BEFORE_2025

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_the_feed_shows_the_reset_date_and_follows_a_move(client, org, cycle_2025, district_admin):
    reset_dates_assign(cycle=cycle_2025)
    url = calendar_feed_path(org)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "DTSTART;VALUE=DATE:20250815" in body
    assert f"UID:reset-{org.pk}-2025@yearend" in body
    assert "SEQUENCE:1" in body

    reset_date_set(
        organization=org,
        cycle=cycle_2025,
        new_date=date(2025, 7, 25),
        acting_user=district_admin,
        now=BEFORE_2025,
    )
    body = client.get(url).content.decode()
    assert "DTSTART;VALUE=DATE:20250725" in body
    assert "DTSTART;VALUE=DATE:20250815" not in body
    assert f"UID:reset-{org.pk}-2025@yearend" in body
    assert "SEQUENCE:2" in body


def test_each_organization_has_its_own_url_showing_only_its_date(
    client, org, other_org, cycle_2025
):
    reset_dates_assign(cycle=cycle_2025)
    assert calendar_feed_token(org) != calendar_feed_token(other_org)
    body = client.get(calendar_feed_path(other_org)).content.decode()
    assert f"UID:reset-{other_org.pk}-2025@yearend" in body
    assert f"UID:reset-{org.pk}-" not in body


@pytest.mark.parametrize(
    "token", ["1", "1.forged", "abc", lambda o: calendar_feed_token(o)[:-2] + "xx"]
)
def test_a_forged_or_tampered_token_is_not_found(client, org, cycle_2025, token):
    token = token(org) if callable(token) else token
    assert client.get(f"/dates/feed/{token}.ics").status_code == 404


def test_only_those_who_manage_the_organization_get_its_feed_link(
    org, district_admin, outsider, csm, make_user
):
    from yearend.errors import Forbidden
    from yearend.people.models import Role
    from yearend.scoping import calendar_feed_path_for

    assert calendar_feed_path_for(district_admin, org) == calendar_feed_path(org)
    assert calendar_feed_path_for(csm, org) == calendar_feed_path(org)
    for user in (outsider, make_user(Role.TEACHER, org)):
        with pytest.raises(Forbidden):
            calendar_feed_path_for(user, org)


def test_long_lines_are_folded_at_75_octets(make_organization, cycle_2025):
    from yearend.resetdates.calendar_feed import calendar_text

    organization = make_organization("LONG01", name="Ünified Schööl District " * 4)
    reset_dates_assign(cycle=cycle_2025, organizations=[organization])
    text = calendar_text(organization)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "Ünified Schööl District Ünified" in unfolded
