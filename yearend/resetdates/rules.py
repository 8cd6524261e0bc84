"""The pure date rules of the reset calendar (DESIGN section 3, rules 3-5 and 8).

No database here: every function takes plain values, so the rules can be tested (and
property-tested) without Django and reused by the services, the selectors and the
allowed-day list, which therefore cannot disagree with each other.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays


def format_day(day: date) -> str:
    """How a district administrator reads a date: "July 4, 2025"."""
    return f"{day:%B} {day.day}, {day.year}"


@lru_cache(maxsize=512)
def _holiday_calendar(country: str, subdivision: str, year: int) -> holidays.HolidayBase:
    # observed=True: when a holiday falls on a weekend the weekday it is observed on
    # is a day off too (July 4, 2026 is a Saturday, so Friday July 3 is off).
    return holidays.country_holidays(country, subdiv=subdivision or None, years=year, observed=True)


def holiday_name(day: date, *, country: str, subdivision: str = "") -> str | None:
    """The holiday's name if ``day`` is a (possibly observed) holiday, else None."""
    return _holiday_calendar(country, subdivision, day.year).get(day)


def local_today(time_zone: str, now: datetime) -> date:
    """The calendar day it is in ``time_zone`` at the aware instant ``now``."""
    return now.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def start_of_day(day: date, time_zone: str) -> datetime:
    """The instant a reset on ``day`` begins: midnight of that day in the organization's zone."""
    return datetime.combine(day, time.min, tzinfo=zoneinfo.ZoneInfo(time_zone))


def future_refusal(day: date, *, today: date) -> str | None:
    if day <= today:
        return (
            f"{format_day(day)} is not after today ({format_day(today)}): "
            "a reset date must be in the future."
        )
    return None


def district_refusal(
    day: date,
    *,
    window_start: date,
    window_end: date,
    country: str,
    subdivision: str,
    today: date,
) -> str | None:
    """Why a district administrator may not choose ``day`` (rule 4), or None if they may."""
    refusal = future_refusal(day, today=today)
    if refusal:
        return refusal
    if not window_start <= day <= window_end:
        return (
            f"{format_day(day)} is outside the reset window "
            f"({format_day(window_start)} to {format_day(window_end)})."
        )
    if day.weekday() >= 5:
        return f"{format_day(day)} is a {day:%A}: a reset date must be a weekday (Monday-Friday)."
    name = holiday_name(day, country=country, subdivision=subdivision)
    if name:
        return f"{format_day(day)} is a holiday ({name})."
    return None


def allowed_days(
    *,
    window_start: date,
    window_end: date,
    country: str,
    subdivision: str,
    today: date,
) -> list[date]:
    """Every day a district administrator could choose, in order."""
    first = max(window_start, today + timedelta(days=1))
    days = []
    day = first
    while day <= window_end:
        if (
            district_refusal(
                day,
                window_start=window_start,
                window_end=window_end,
                country=country,
                subdivision=subdivision,
                today=today,
            )
            is None
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


def carried_to_year(day: date, year: int) -> date:
    """The same month and day in ``year``; Feb 29 counts as Feb 28 (rule 3)."""
    if day.month == 2 and day.day == 29:
        return date(year, 2, 28)
    return day.replace(year=year)


def defaults_by_preference(target: date, defaults: Iterable[date]) -> list[date]:
    """Default dates nearest to ``target`` first; a tie goes to the later date (rule 3),
    since resetting too early destroys data still in use."""
    return sorted(defaults, key=lambda d: (abs((d - target).days), -d.toordinal()))


def preferred_target(previous: date | None, defaults: Sequence[date], year: int) -> date:
    """What an organization's assignment aims at: last cycle's date carried over, or,
    with no previous date, the latest default."""
    if previous is None:
        return max(defaults)
    return carried_to_year(previous, year)
