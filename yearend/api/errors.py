"""How the API turns every failure into JSON: a stable code, a message, maybe a field.

Services raise ``yearend.errors.ServiceError`` subclasses with the same messages the
portal shows; the API only chooses the HTTP status. Anything unexpected is logged here
and answered with a bare ``server_error``: no traceback ever reaches a client.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.schema import Schema

from yearend.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut] = []


# Statuses every operation documents, so clients (and Schemathesis) know their shape.
ERROR_RESPONSES: dict[Any, Any] = {
    frozenset({400, 401, 403, 404, 409, 429}): ErrorOut,
    422: ValidationErrorOut,
}


class ApiProblem(Exception):
    """An API-level refusal that is not a service rule: auth, scope, rate limit."""

    def __init__(
        self, status: int, code: str, message: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


# Service errors whose class is not one of the four base kinds.
_STATUS_BY_CODE = {
    "sync_paused": 409,
    "import_running": 409,
    "import_held": 409,
    "import_refused": 400,
    "verification_failed": 409,
}


def status_for(error: ServiceError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, InvalidInput):
        return 400
    return _STATUS_BY_CODE.get(error.code, 400)


def _body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field, **extra}


def _field_name(location: Any) -> str:
    # ("body", "payload", "date") -> "date"; ("query", "cycle") -> "cycle"
    parts = [str(p) for p in location if p not in ("body", "query", "path", "form", "file")]
    parts = [p for p in parts if p != "payload"] or parts
    return ".".join(parts) or "request"


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict, status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_service_error(request: HttpRequest, error: ServiceError) -> HttpResponse:
        return respond(request, _body(error.code, error.message, error.field), status_for(error))

    def on_problem(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
        response = respond(request, _body(problem.code, problem.message), problem.status)
        if problem.retry_after is not None:
            response["Retry-After"] = str(problem.retry_after)
        return response

    def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        # Scoping raises the same 404 whether the object is elsewhere or nowhere.
        return respond(request, _body("not_found", str(error) or "Not found."), 404)

    def on_unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        return respond(
            request,
            _body(
                "unauthenticated",
                "Sign in, or send a personal API token as 'Authorization: Bearer <token>'.",
            ),
            401,
        )

    def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        code = {403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
            error.status_code, "http_error"
        )
        return respond(request, _body(code, str(error)), error.status_code)

    def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
        errors = [
            {"field": _field_name(item.get("loc", ())), "message": item.get("msg", "invalid")}
            for item in error.errors
        ]
        first = errors[0] if errors else {"field": "request", "message": "invalid"}
        message = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return respond(
            request,
            _body("validation_error", message or "Invalid request.", first["field"], errors=errors),
            422,
        )

    def on_unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
        # The full story goes to the server log; the client only learns that it failed.
        logger.exception("API %s %s failed", request.method, request.path)
        return respond(
            request,
            _body("server_error", "Something went wrong on our side; it has been logged."),
            500,
        )

    api.add_exception_handler(Exception, on_unexpected)
    api.add_exception_handler(ServiceError, on_service_error)
    api.add_exception_handler(ApiProblem, on_problem)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(ValidationError, on_validation_error)
