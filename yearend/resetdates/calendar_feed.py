"""The iCalendar (RFC 5545) text of an organization's reset dates."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.db.models import Count
from django.utils import timezone

from yearend.organizations.models import Organization
from yearend.resetdates.models import OrganizationResetDate, ResetDateChange


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    # RFC 5545 3.1: lines longer than 75 octets continue on lines starting with a space.
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, chunk = [], b""
    for char in line:
        piece = char.encode()
        if len(chunk) + len(piece) > (75 if not parts else 74):
            parts.append(chunk.decode())
            chunk = b""
        chunk += piece
    parts.append(chunk.decode())
    return "\r\n ".join(parts)


def calendar_text(organization: Organization) -> str:
    records = (
        OrganizationResetDate.tenant.of(organization).select_related("cycle").order_by("cycle")
    )
    changes = dict(
        ResetDateChange.tenant.of(organization)
        .values("cycle_id")
        .annotate(n=Count("id"))
        .values_list("cycle_id", "n")
    )
    stamp = f"{timezone.now().astimezone(UTC):%Y%m%dT%H%M%SZ}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Year-End Reset//Reset calendar//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:" + _escape(f"Imagine Math reset - {organization.name}"),
    ]
    for record in records:
        day = record.reset_date
        state = " (locked: the reset has started)" if record.locked_at else ""
        lines += [
            "BEGIN:VEVENT",
            # Stable per organization and cycle, so a moved date updates the same event.
            f"UID:reset-{organization.pk}-{record.cycle.year}@yearend",
            # Calendar clients take the higher sequence as the newer version of the event.
            f"SEQUENCE:{changes.get(record.cycle_id, 0)}",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{record.updated_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            "SUMMARY:"
            + _escape(f"{record.cycle.year} Imagine Math year-end reset of {organization.name}")
            + _escape(state),
            "DESCRIPTION:"
            + _escape(
                "Student accounts, classes and all student results are deleted at the start "
                f"of this day ({organization.time_zone}). Educators and schools stay."
            ),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
