"""htmx asks for a fragment of a page, not the page."""

from __future__ import annotations


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
