"""The three commands: one line and a non-zero exit on bad input, changing nothing."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from yearend.resetdates.models import ResetCycle
from yearend.resetdates.selectors import reset_date_for
from yearend.resetdates.tests.conftest import snapshot

pytestmark = [pytest.mark.core, pytest.mark.django_db]

# Commands run on the real clock, so their cycle is always next year's.
YEAR = timezone.now().year + 1
# First Monday of September: a weekday federal holiday every year.
LABOR_DAY = date(YEAR, 9, 1) + timedelta(days=-date(YEAR, 9, 1).weekday() % 7)


def _friday(month: int, nth: int) -> date:
    from yearend.resetdates.demo_setup import nth_friday

    return nth_friday(YEAR, month, nth)


@pytest.fixture
def next_cycle(db):
    call_command(
        "reset_cycle",
        "create",
        str(YEAR),
        "--defaults",
        ",".join(d.isoformat() for d in (_friday(7, 3), _friday(8, 1), _friday(8, 3))),
    )
    return ResetCycle.objects.get(year=YEAR)


def _refused(*args, match: str):
    before = snapshot()
    with pytest.raises(CommandError, match=match) as caught:
        call_command(*args)
    assert caught.value.returncode != 0
    assert "\n" not in str(caught.value)
    assert snapshot() == before


def test_reset_cycle_create_uses_the_default_window(next_cycle):
    assert (next_cycle.window_start, next_cycle.window_end) == (date(YEAR, 6, 1), date(YEAR, 10, 1))
    assert next_cycle.defaults.count() == 3


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["2030", "--defaults", "2030-07-19,2030-13-01"], "Malformed date '2030-13-01'"),
        (["2030", "--defaults", ","], "needs at least one date"),
        (["2030", "--defaults", "2031-07-18"], "outside the window"),
        (["2030", "--defaults", "2030-07-19", "--window-start", "2030-08-01"], "outside"),
        (["2030", "--defaults", "2030-07-19", "--window-end", "2031-01-01"], "not in 2030"),
        (["2024", "--defaults", "2024-07-19"], "already exists"),
    ],
)
def test_reset_cycle_create_refuses_bad_input(db, args, match):
    _refused("reset_cycle", "create", *args, match=match)


def test_reset_dates_assign_prints_the_load_per_default(next_cycle, org, other_org, capsys):
    call_command("reset_dates", "assign", "--cycle", str(YEAR))
    out = capsys.readouterr().out
    assert "2 organization(s) assigned a default date, 0 already had a date." in out
    assert f"{_friday(8, 3):%a %Y-%m-%d}: 2 organization(s), 0 student(s)" in out
    call_command("reset_dates", "assign", "--capacity", "1")  # the current cycle by default
    assert "0 organization(s) assigned" in capsys.readouterr().out


def test_reset_dates_assign_refuses_an_unknown_cycle(db):
    _refused("reset_dates", "assign", "--cycle", "1999", match="Unknown reset cycle 1999")


def test_reset_date_set_show_and_allowed(next_cycle, org, district_admin, csm, capsys):
    call_command("reset_dates", "assign")
    capsys.readouterr()
    target = _friday(7, 4) if _friday(7, 4).month == 7 else _friday(7, 3)
    call_command(
        "reset_date", "set", "--org", "HOME01", "--date", target.isoformat(), "--user", "home-da"
    )
    assert capsys.readouterr().out.strip() == target.isoformat()
    assert reset_date_for(org, next_cycle).reset_date == target

    call_command("reset_date", "show", "--org", "HOME01", "--cycle", str(YEAR), "--json")
    shown = json.loads(capsys.readouterr().out)
    assert shown["site_code"] == "HOME01"
    assert shown["cycle"] == YEAR
    assert shown["reset_date"] == target.isoformat()
    assert shown["source"] == "district_admin"
    assert shown["locked"] is False
    assert [(h["from"], h["to"], h["by"], h["via"]) for h in shown["history"]] == [
        (None, _friday(8, 3).isoformat(), "system", "command"),
        (_friday(8, 3).isoformat(), target.isoformat(), "home-da", "command"),
    ]
    assert set(shown["history"][0]) == {"at", "by", "from", "to", "reason", "via"}

    call_command("reset_date", "allowed", "--org", "HOME01", "--cycle", str(YEAR), "--json")
    allowed = json.loads(capsys.readouterr().out)
    assert target.isoformat() in allowed
    assert f"{YEAR}-07-04" not in allowed
    assert all(date.fromisoformat(d).weekday() < 5 for d in allowed)


def test_reset_date_set_warns_about_the_last_day_of_school(next_cycle, org, district_admin, capsys):
    org.last_day_of_school = date(YEAR, 8, 1)
    org.save(update_fields=["last_day_of_school"])
    target = _friday(7, 3)
    call_command(
        "reset_date", "set", "--org", "HOME01", "--date", target.isoformat(), "--user", "home-da"
    )
    captured = capsys.readouterr()
    assert captured.out.strip() == target.isoformat()
    assert "last day of school" in captured.err


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--org", "NOPE", "--date", "{d}", "--user", "home-da"], "Unknown organization 'NOPE'"),
        (["--org", "HOME01", "--date", "{d}", "--user", "ghost"], "Unknown user 'ghost'"),
        (["--org", "HOME01", "--date", "18/07/2025", "--user", "home-da"], "Malformed date"),
        (["--org", "HOME01", "--date", "{d}", "--user", "home-da", "--cycle", "1999"], "Unknown"),
        (
            ["--org", "HOME01", "--date", LABOR_DAY.isoformat(), "--user", "home-da"],
            r"is a holiday \(Labor Day\)",
        ),
        (["--org", "HOME01", "--date", f"{YEAR}-10-15", "--user", "csm"], "must give a reason"),
        (
            ["--org", "HOME01", "--date", f"{YEAR}-10-15", "--user", "csm", "--reason", " "],
            "must give a reason",
        ),
        (["--org", "HOME01", "--date", "{d}", "--user", "away-da"], "may not change"),
        (
            ["--org", "HOME01", "--date", f"{YEAR + 1}-07-16", "--user", "csm", "--reason", "x"],
            f"not in the {YEAR} reset cycle",
        ),
    ],
)
def test_reset_date_set_refuses_with_one_line_and_no_change(
    next_cycle, org, district_admin, outsider, csm, args, match
):
    call_command("reset_dates", "assign")
    args = [a.replace("{d}", _friday(7, 3).isoformat()) for a in args]
    _refused("reset_date", "set", *args, match=match)


def test_reset_date_show_and_allowed_refuse_unknowns(db):
    _refused("reset_date", "show", "--org", "NOPE", "--json", match="Unknown organization")
    _refused("reset_date", "allowed", "--org", "HOME01", "--cycle", "2024", match="Unknown org")
