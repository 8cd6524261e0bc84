"""Template context for every page: how many notices the signed-in person has not read."""

from __future__ import annotations

from yearend.notices.selectors import unread_count


def unread_notices(request) -> dict[str, int]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notice_unread_count": 0}
    return {"notice_unread_count": unread_count(user)}
