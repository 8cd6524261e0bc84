"""Change the reset date: a month calendar of allowed days, a review step, a confirmation.

GET shows the calendar; ``?date=YYYY-MM-DD`` (a calendar day's button or the typed date)
adds the review: the rule's refusal beside the date, or the school-year warnings and the
confirm button. Only the POST changes anything, through ``resetdates.services.reset_date_set``,
which checks every rule again (the calendar is a convenience, not the guard).

And the private iCalendar feed of the dates: calendar apps cannot sign in, so its URL is
the credential (a token signed with SECRET_KEY that names the organization).
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from yearend import scoping
from yearend.audit.models import Via
from yearend.errors import NotFound, ServiceError
from yearend.organizations.school_days import school_days_set
from yearend.portal import selectors
from yearend.resetdates import rules
from yearend.resetdates.calendar_feed import calendar_text
from yearend.resetdates.selectors import organization_for_feed_token, reset_date_history
from yearend.resetdates.services import reset_date_set, school_year_warnings


def _parse_day(text: str | None) -> tuple[date | None, str | None]:
    text = (text or "").strip()
    if not text:
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"{text!r} is not a date: use the calendar or type YYYY-MM-DD."


@login_required
@require_http_methods(["GET", "POST"])
def date_change(request, site_code: str):
    organization = scoping.district_admin_organization(request.user, site_code)
    date_view = selectors.reset_date_view(organization)
    cycle = date_view.cycle
    current = date_view.record.reset_date if date_view.record else None
    review = None
    error = None
    status = 200

    if request.method == "POST" and cycle is not None:
        day, error = _parse_day(request.POST.get("date"))
        if day is not None:
            try:
                result = reset_date_set(
                    organization=organization,
                    cycle=cycle,
                    new_date=day,
                    acting_user=request.user,
                    via=Via.PORTAL,
                )
            except ServiceError as refusal:
                review = {"day": day, "refusal": refusal.message}
                status = 400
            else:
                messages.success(
                    request,
                    f"The reset date is now {rules.format_day(result.reset_date.reset_date)}.",
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("portal:organization", site_code=organization.site_code)
        else:
            status = 400
    elif cycle is not None:
        day, error = _parse_day(request.GET.get("date"))
        if day is not None:
            refusal = selectors.district_refusal(organization, cycle, day)
            if refusal is None and day == current:
                refusal = f"{rules.format_day(day)} is already the reset date."
            review = {
                "day": day,
                "refusal": refusal,
                "warnings": [] if refusal else school_year_warnings(organization, day),
            }

    context = {
        "organization": organization,
        "date": date_view,
        "current": current,
        "locked": bool(date_view.record and date_view.record.locked_at),
        "review": review,
        "error": error,
        "weekdays": selectors.week_day_names(),
    }
    if cycle is not None:
        context["months"] = selectors.calendar_months(organization, cycle, current=current)
        context["allowed_count"] = sum(
            1 for m in context["months"] for w in m.weeks for d in w if d.allowed
        )
        context["history"] = reset_date_history(organization, cycle)
    return render(request, "portal/date_change.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def school_days(request, site_code: str):
    """Record the last day of school and of summer school, which dates are checked against."""
    organization = scoping.district_admin_organization(request.user, site_code)
    days = {}
    for field in ("last_day_of_school", "last_day_of_summer_school"):
        day, error = _parse_day(request.POST.get(field))
        if error:
            messages.error(request, error)
            return redirect("portal:date", site_code=organization.site_code)
        days[field] = day
    try:
        school_days_set(organization=organization, acting_user=request.user, via=Via.PORTAL, **days)
    except ServiceError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "School days saved. Reset dates are checked against them.")
    return redirect("portal:date", site_code=organization.site_code)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The organization's reset dates for calendar apps; anyone without the token gets 404."""
    try:
        organization = organization_for_feed_token(token)
    except NotFound:
        raise Http404("No such calendar") from None
    response = HttpResponse(
        calendar_text(organization), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
