"""What every endpoint parses first: who is calling, and bounds on ids in paths and queries.

Whether the caller may see or change an object is yearend.scoping's decision: outside
their reach is a 404 (whether or not it exists), visible but not for their role a 403.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query

from yearend.people.models import User


def caller(request: HttpRequest) -> User:
    return request.auth  # set by yearend.api.auth


# Bounds on what a client may put in a path or query, so nonsense is a 422 naming the
# field rather than a database error (SQLite integers stop at 2**63).
MAX_ID = 2**62
SiteCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
CycleYear = Annotated[int | None, Query(ge=2000, le=2200)]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
