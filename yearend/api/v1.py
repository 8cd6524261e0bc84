"""Version 1 of the REST API: one NinjaAPI, its auth, its errors, its routers.

Mounted at /api/v1/; the OpenAPI document is /api/v1/openapi.json and the docs page
/api/v1/docs (a server-rendered, accessible reference built from that document: see
yearend/api/docs.py; Swagger UI failed the accessibility check every page must pass).
"""

from __future__ import annotations

from functools import wraps

from ninja import NinjaAPI

from yearend.api.auth import api_auth
from yearend.api.bodies import refuse_bodies_that_are_not_objects
from yearend.api.endpoints import (
    calendar,
    educators,
    offschedule,
    organizations,
    reports,
    resets,
    rosters,
    vendor,
)
from yearend.api.errors import install_error_handlers
from yearend.audit.services import audit_origin
from yearend.client_address import client_address

api = NinjaAPI(
    title="Year-End Reset API",
    version="1",
    description=(
        "The same rules and messages as the portal. Authenticate with a personal token "
        "(`Authorization: Bearer <token>`, made at /api/tokens/) or a signed-in session "
        "(writes need the CSRF token). Errors are JSON: `code`, `message`, optional `field`."
    ),
    urls_namespace="api-v1",
    auth=api_auth,
    docs_url=None,  # /api/v1/docs is our own page (yearend/api/docs.py)
)
install_error_handlers(api)


def _remember_origin(view):
    """Every audit row written while a request is handled records the client's address."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with audit_origin(client_address(request)):
            return view(request, *args, **kwargs)

    return wrapper


api.add_decorator(_remember_origin, mode="view")
# "operation": around each endpoint function, so after authentication (a stranger gets 401,
# not a lesson in JSON) and before anything is written.
api.add_decorator(refuse_bodies_that_are_not_objects, mode="operation")

for module in (organizations, calendar, resets, reports, rosters, educators, vendor, offschedule):
    api.add_router("", module.router)
