"""The private iCalendar feed of an organization's reset dates.

Calendar apps cannot sign in, so the URL itself is the credential: a token signed with
SECRET_KEY that names the organization. Anyone without it gets a 404.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from yearend.errors import NotFound
from yearend.organizations.models import Organization
from yearend.resetdates.models import OrganizationResetDate, ResetDateChange
from yearend.resetdates.selectors import organization_for_feed_token


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def calendar_text(organization: Organization) -> str:
    records = (
        OrganizationResetDate.tenant.of(organization).select_related("cycle").order_by("cycle")
    )
    changes = {}
    for change in ResetDateChange.tenant.of(organization).values_list("cycle_id", flat=True):
        changes[change] = changes.get(change, 0) + 1
    stamp = f"{timezone.now().astimezone(UTC):%Y%m%dT%H%M%SZ}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Year-End Reset//Reset calendar//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(f'Imagine Math reset - {organization.name}')}",
    ]
    for record in records:
        day = record.reset_date
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
            _escape_summary(organization, record),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _escape_summary(organization: Organization, record: OrganizationResetDate) -> str:
    state = " (locked: reset started)" if record.locked_at else ""
    return "SUMMARY:" + _escape(
        f"{record.cycle.year} Imagine Math year-end reset of {organization.name}{state}"
    )


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        organization = organization_for_feed_token(token)
    except NotFound:
        raise Http404("No such calendar") from None
    response = HttpResponse(
        calendar_text(organization), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
