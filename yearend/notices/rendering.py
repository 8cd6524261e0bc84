"""Subject, text and HTML body of each notice, in the organization's time zone."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from yearend.notices.kinds import MANDATORY_KINDS, NoticeKind
from yearend.notices.planning import EDUCATOR_ABSENT_DAYS, EXPORT_FRESH_DAYS
from yearend.organizations.models import Organization
from yearend.people.models import User


def long_day(day: date) -> str:
    """How a person reads a date in a notice: "Friday, August 2, 2024"."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def local_time(moment: datetime, organization: Organization) -> str:
    """ "Friday, August 2, 2024 at 00:15 (America/Chicago)" in the organization's zone."""
    local = moment.astimezone(zoneinfo.ZoneInfo(organization.time_zone))
    return f"{long_day(local.date())} at {local:%H:%M} ({organization.time_zone})"


def last_local_day(moment: datetime, organization: Organization) -> date:
    """The last whole day before ``moment`` ends, in the organization's zone (a file kept
    "until midnight" is last available the day before)."""
    local = moment.astimezone(zoneinfo.ZoneInfo(organization.time_zone))
    return (local - timedelta(microseconds=1)).date()


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    link: str


def _when(context: dict[str, Any], organization: Organization) -> dict[str, Any]:
    """Every date and time of the context, written out for people."""
    out: dict[str, Any] = {}
    for name in ("reset_date", "from_date", "to_date"):
        if context.get(name):
            out[f"{name}_text"] = long_day(context[name])
    if context.get("at"):
        out["at_text"] = local_time(context["at"], organization)
    if context.get("due_at"):
        out["due_at_text"] = local_time(context["due_at"], organization)
    run = context.get("run")
    if run is not None:
        if run.finished_at:
            out["finished_at_text"] = local_time(run.finished_at, organization)
        if run.started_at:
            out["started_at_text"] = local_time(run.started_at, organization)
    archive = context.get("archive")  # a KeptArchive: only an archive still kept is given
    if archive is not None:
        out["archive_last_day_text"] = long_day(last_local_day(archive.expires_at, organization))
        out["archive_link"] = absolute(
            reverse("portal:archive-download", args=[archive.archive_id])
        )
    return out


def _subject(kind: str, organization: Organization, c: dict[str, Any]) -> str:
    site = organization.site_code
    if kind == NoticeKind.DATE_ASSIGNED:
        return f"[{site}] Your {c['cycle'].year} reset date: {c['to_date_text']}"
    if kind == NoticeKind.DATE_CHANGED:
        return f"[{site}] Reset date changed to {c['to_date_text']} by {c['changed_by']}"
    if kind == NoticeKind.REMINDER:
        todo = c["undone"].items
        still = f": {todo} thing{'s' if todo != 1 else ''} still to do" if todo else ""
        if c["days_left"] == 1:
            return f"[{site}] Your reset is tomorrow, {c['reset_date_text']}{still}"
        return f"[{site}] {c['days_left']} days to your reset on {c['reset_date_text']}{still}"
    if kind == NoticeKind.PRINT_REPORTS:
        return f"[{site}] Print progress reports before the reset on {c['reset_date_text']}"
    if kind == NoticeKind.RESET_COMPLETED:
        return f"[{site}] Your {c['cycle'].year} reset is complete: deletion certificate ready"
    if kind == NoticeKind.IMPORT_HELD:
        return f"[{site}] A roster import is held for your review"
    if kind == NoticeKind.OPS_RESET_FAILED:
        return f"[ops] Reset of {site} failed at {c['step']}"
    if kind == NoticeKind.OPS_RESET_NOT_STARTED:
        return f"[ops] Reset of {site} due {c['reset_date_text']} has not started"
    if kind == NoticeKind.OPS_SYNCS_PAUSED:
        return f"[ops] Roster syncs of {site} still paused a day after its reset"
    raise ValueError(f"unknown notice kind {kind!r}")


def _link(kind: str, organization: Organization, c: dict[str, Any]) -> str:
    site = organization.site_code
    if kind == NoticeKind.RESET_COMPLETED:
        return absolute(reverse("portal:run-certificate", args=[site, c["run"].pk, "pdf"]))
    if kind == NoticeKind.IMPORT_HELD:
        return absolute(reverse("portal:syncs", args=[site]))
    if kind in (NoticeKind.OPS_RESET_FAILED, NoticeKind.OPS_RESET_NOT_STARTED):
        return absolute(reverse("vendor:reset", args=[site]))
    if kind == NoticeKind.OPS_SYNCS_PAUSED:
        return absolute(reverse("portal:syncs", args=[site]))
    return absolute(reverse("portal:organization", args=[site]))


def render_notice(
    *, kind: str, organization: Organization, recipient: User, context: dict[str, Any]
) -> Rendered:
    c = {**context, **_when(context, organization)}
    link = _link(kind, organization, c)
    c.update(
        organization=organization,
        recipient=recipient,
        greeting=recipient.get_full_name() or recipient.username,
        link=link,
        preferences_link=absolute(reverse("portal:notice-preferences")),
        notices_link=absolute(reverse("portal:notices")),
        kind_label=NoticeKind(kind).label,
        kind_optional=kind not in MANDATORY_KINDS,
        export_fresh_days=EXPORT_FRESH_DAYS,
        educator_absent_days=EDUCATOR_ABSENT_DAYS,
    )
    if c.get("undone") is not None:
        c["late_last_days_text"] = [
            (label, long_day(day)) for label, day in c["undone"].late_last_days
        ]
    subject = _subject(kind, organization, c)
    c["subject"] = subject
    return Rendered(
        subject=subject[:200],
        text=render_to_string(f"notices/email/{kind}.txt", c),
        html=render_to_string(f"notices/email/{kind}.html", c),
        link=link,
    )
