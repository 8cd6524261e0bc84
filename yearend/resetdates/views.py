"""The private iCalendar feed of an organization's reset dates.

Calendar apps cannot sign in, so the URL itself is the credential: a token signed with
SECRET_KEY that names the organization. Anyone without it gets a 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from yearend.errors import NotFound
from yearend.resetdates.calendar_feed import calendar_text
from yearend.resetdates.selectors import organization_for_feed_token


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
