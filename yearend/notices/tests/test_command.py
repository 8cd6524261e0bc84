"""send_notices: one pass, --as-of replays a day, bad input is one line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yearend.notices.models import Notice


@pytest.mark.core
def test_send_notices_replays_a_day_once(home, home_people, mailoutbox):
    out = StringIO()
    call_command("send_notices", "--as-of", "2024-08-02", "--json", stdout=out)
    assert json.loads(out.getvalue())["sent"] == 4
    out = StringIO()
    call_command("send_notices", "--as-of", "2024-08-02", stdout=out)
    assert out.getvalue().startswith("Notices: 0 recorded, 0 sent")
    assert len(mailoutbox) == 4 == Notice.unscoped.count()


def test_send_notices_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="is not a date: use YYYY-MM-DD"):
        call_command("send_notices", "--as-of", "2024-13-01")


def test_the_demo_setup_announces_fresh_dates_once(make_organization, person, cycle, capsys):
    from yearend.audit.models import Via
    from yearend.notices import demo_setup
    from yearend.people.models import Role
    from yearend.resetdates.services import reset_dates_assign

    organization = make_organization("DEMO01")
    person(Role.DISTRICT_ADMIN, organization, username="demo-da")
    reset_dates_assign(cycle=cycle, organizations=[organization], via=Via.SYSTEM)
    demo_setup.prepare()
    demo_setup.prepare()
    assert Notice.unscoped.filter(recipient__username="demo-da").count() == 1
    assert capsys.readouterr().out.count("Notices: 1 recorded") == 1
