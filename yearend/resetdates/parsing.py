"""Turning command-line and form text into values, with one clear line on bad input."""

from __future__ import annotations

from datetime import date

from yearend.errors import InvalidInput, NotFound
from yearend.people.models import User


def parse_day(text: str | None, *, option: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise InvalidInput(
            f"Malformed date {text!r} for {option}: use YYYY-MM-DD, e.g. 2025-07-18.",
            field=option,
        ) from None


def parse_days(text: str | None, *, option: str) -> list[date]:
    parts = [part for part in (text or "").split(",") if part.strip()]
    if not parts:
        raise InvalidInput(f"{option} needs at least one date (YYYY-MM-DD,...).", field=option)
    return [parse_day(part, option=option) for part in parts]


def user_by_username(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise NotFound(f"Unknown user {username!r}.", field="user") from None
