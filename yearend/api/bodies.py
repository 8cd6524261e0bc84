"""A write's JSON body is an object, or the write is refused with 422.

Ninja reads a body schema from any JSON value, falling back to the defaults for what it
cannot find there, and routes without a body never look at it: ``[]`` or ``123`` sent to
"queue an export" queued one with the defaults, and sent to "pause syncs" paused them. A
client that sends such a body has a bug; doing the write anyway hides it.
"""

from __future__ import annotations

import json
from functools import wraps

from django.http import HttpRequest
from ninja.errors import ValidationError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Form bodies (the roster upload) are not JSON; their fields are checked by their schema.
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def _json_kind(value: object) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def refuse_bodies_that_are_not_objects(view):
    """Wraps every operation's view: runs after authentication and parsing, before the write."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method in WRITE_METHODS and request.content_type not in FORM_TYPES:
            _refuse_unless_object(request.body)
        return view(request, *args, **kwargs)

    return wrapper


def _refuse_unless_object(body: bytes) -> None:
    if not body.strip():
        return
    try:
        data = json.loads(body)
    except ValueError:
        # Not JSON at all: routes that read a body already answer "Cannot parse request
        # body"; routes without one have nothing to misread.
        return
    if not isinstance(data, dict):
        raise ValidationError(
            [
                {
                    "loc": ("body",),
                    "msg": f"The body must be a JSON object, not {_json_kind(data)}.",
                    "type": "body_not_object",
                }
            ]
        )
