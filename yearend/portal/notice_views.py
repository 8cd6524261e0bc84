"""Notices: a person's own notices (linked from every email) and which optional ones
they want."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from yearend.audit.models import Via
from yearend.errors import ServiceError
from yearend.notices.selectors import notice_for, notices_for, preferences_for
from yearend.notices.services import notice_preferences_update, notices_mark_read

PAGE_SIZE = 50


@login_required
def notice_list(request):
    page = Paginator(notices_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    notices = list(page.object_list)
    # Shown is read; the page still marks which ones were new to this visit.
    unread = {n.pk for n in notices if n.read_at is None}
    if unread:
        notices_mark_read(user=request.user, notice_ids=unread)
    # The unread count in the page header is taken after this, so it already drops.
    return render(
        request, "portal/notices.html", {"page": page, "notices": notices, "unread": unread}
    )


@login_required
def notice_detail(request, notice_id: int):
    notice = notice_for(request.user, notice_id)
    if notice is None:
        raise Http404("No such notice")
    if notice.read_at is None:
        notices_mark_read(user=request.user, notice_ids=[notice.pk])
    return render(request, "portal/notice.html", {"notice": notice})


@login_required
def preferences(request):
    if request.method == "POST":
        offered = {p.kind for p in preferences_for(request.user) if not p.mandatory}
        wanted = set(request.POST.getlist("enabled"))
        try:
            notice_preferences_update(
                user=request.user, turned_off=offered - wanted, via=Via.PORTAL
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Your notice preferences are saved.")
        return redirect("portal:notice-preferences")
    return render(
        request, "portal/notice_preferences.html", {"preferences": preferences_for(request.user)}
    )
