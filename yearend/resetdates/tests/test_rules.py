"""The pure date rules: holidays (observed included), weekends, window, today."""

from datetime import UTC, date, datetime

import pytest

from yearend.resetdates import rules

pytestmark = [pytest.mark.core]

WINDOW = {"window_start": date(2025, 6, 1), "window_end": date(2025, 10, 1)}


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2021, 7, 5), "Independence Day (observed)"),  # July 4 was a Sunday
        (date(2021, 6, 18), "Juneteenth National Independence Day (observed)"),  # Saturday
        (date(2021, 12, 31), "New Year's Day (observed)"),  # Jan 1, 2022 was a Saturday
        (date(2022, 6, 20), "Juneteenth National Independence Day (observed)"),  # Sunday
        (date(2022, 7, 4), "Independence Day"),
        (date(2022, 9, 5), "Labor Day"),
        (date(2023, 6, 19), "Juneteenth National Independence Day"),
        (date(2023, 9, 4), "Labor Day"),
        (date(2024, 7, 4), "Independence Day"),
        (date(2024, 9, 2), "Labor Day"),
        (date(2025, 7, 4), "Independence Day"),
        (date(2025, 5, 26), "Memorial Day"),
        (date(2026, 7, 3), "Independence Day (observed)"),  # July 4 is a Saturday
        (date(2026, 6, 19), "Juneteenth National Independence Day"),
        (date(2027, 6, 18), "Juneteenth National Independence Day (observed)"),  # Saturday
        (date(2027, 7, 5), "Independence Day (observed)"),  # Sunday
        (date(2028, 9, 4), "Labor Day"),
    ],
)
def test_it_knows_us_federal_holidays_including_observed_days(day, name):
    assert name in rules.holiday_name(day, country="US", subdivision="")


@pytest.mark.parametrize(
    "day",
    [date(2021, 7, 6), date(2022, 7, 5), date(2026, 7, 6), date(2027, 7, 6), date(2025, 7, 18)],
)
def test_it_knows_ordinary_working_days(day):
    assert rules.holiday_name(day, country="US", subdivision="") is None


def test_it_refuses_an_observed_holiday_naming_it():
    refusal = rules.district_refusal(
        date(2026, 7, 3),
        window_start=date(2026, 6, 1),
        window_end=date(2026, 10, 1),
        country="US",
        subdivision="",
        today=date(2026, 1, 1),
    )
    assert refusal == "July 3, 2026 is a holiday (Independence Day (observed))."


def test_it_uses_the_subdivisions_calendar_for_a_non_us_organization():
    # British Columbia Day (Aug 4, 2025) is BC's, not Ontario's; Saint John the Baptist
    # Day (June 24) is Quebec's, not Ontario's.
    assert rules.holiday_name(date(2025, 7, 1), country="CA", subdivision="ON") == "Canada Day"
    assert rules.holiday_name(date(2025, 8, 4), country="CA", subdivision="BC")
    assert rules.holiday_name(date(2025, 8, 4), country="CA", subdivision="ON") is None
    assert rules.holiday_name(date(2025, 6, 24), country="CA", subdivision="QC")
    assert rules.holiday_name(date(2025, 6, 24), country="CA", subdivision="ON") is None
    assert rules.holiday_name(date(2025, 7, 4), country="CA", subdivision="ON") is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 3, 3), "March 3, 2025 is not after today (March 3, 2025)"),
        (date(2025, 5, 30), "May 30, 2025 is outside the reset window (June 1, 2025 to October"),
        (date(2025, 10, 2), "October 2, 2025 is outside the reset window"),
        (date(2025, 7, 19), "July 19, 2025 is a Saturday"),
        (date(2025, 7, 20), "July 20, 2025 is a Sunday"),
        (date(2025, 7, 4), "July 4, 2025 is a holiday (Independence Day)"),
    ],
)
def test_each_refusal_names_its_rule(day, expected):
    refusal = rules.district_refusal(
        day, country="US", subdivision="", today=date(2025, 3, 3), **WINDOW
    )
    assert refusal.startswith(expected)


def test_both_ends_of_the_window_are_allowed():
    window = {"window_start": date(2025, 6, 2), "window_end": date(2025, 10, 1)}
    days = rules.allowed_days(country="US", subdivision="", today=date(2025, 1, 1), **window)
    assert days[0] == date(2025, 6, 2)
    assert days[-1] == date(2025, 10, 1)


def test_today_is_the_organizations_own_day():
    instant = datetime(2025, 7, 17, 11, 0, tzinfo=UTC)
    assert rules.local_today("Pacific/Kiritimati", instant) == date(2025, 7, 18)
    assert rules.local_today("Pacific/Pago_Pago", instant) == date(2025, 7, 17)
    assert rules.local_today("UTC", datetime(2025, 7, 18, 5, tzinfo=UTC)) == date(2025, 7, 18)
    assert rules.local_today("Pacific/Pago_Pago", datetime(2025, 7, 18, 5, tzinfo=UTC)) == date(
        2025, 7, 17
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (date(2025, 7, 25), date(2025, 8, 1)),  # 7 days from Jul 18 and Aug 1: the later wins
        (date(2025, 8, 8), date(2025, 8, 15)),  # 7 days from Aug 1 and Aug 15
        (date(2025, 7, 24), date(2025, 7, 18)),
        (date(2025, 6, 1), date(2025, 7, 18)),
        (date(2025, 12, 1), date(2025, 8, 15)),
    ],
)
def test_the_nearest_default_wins_and_a_tie_goes_to_the_later(target, expected):
    defaults = [date(2025, 7, 18), date(2025, 8, 1), date(2025, 8, 15)]
    assert rules.defaults_by_preference(target, defaults)[0] == expected


def test_feb_29_counts_as_feb_28():
    assert rules.carried_to_year(date(2024, 2, 29), 2025) == date(2025, 2, 28)
    assert rules.carried_to_year(date(2024, 8, 2), 2025) == date(2025, 8, 2)
