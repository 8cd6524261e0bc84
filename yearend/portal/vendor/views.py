"""Vendor pages: customer-success managers (all organizations, dates, the load) and
operations (reset runs, resume, off-schedule resets with a second approver).

Thin adapters: scoping decides who gets in (``vendor_staff``: anyone else gets a 404),
the selectors read, the services write (each with its audit row) and their refusal
messages are shown beside the field they name.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yearend.audit.models import Via
from yearend.errors import NotFound, ServiceError
from yearend.organizations.models import Organization
from yearend.people.models import Role
from yearend.portal.downloads import certificate_response
from yearend.portal.htmx import is_htmx
from yearend.portal.vendor import forms, selectors
from yearend.resetdates import selectors as date_selectors
from yearend.resetdates.models import OrganizationResetDate, ResetCycle, ResetDateSource
from yearend.resetdates.parsing import parse_days
from yearend.resetdates.services import reset_cycle_create, reset_date_set, reset_dates_assign
from yearend.resets.dispatch import reset_resume_in_background
from yearend.resets.downloads import certificate_download
from yearend.resets.models import Status
from yearend.resets.offschedule import (
    offschedule_approve,
    offschedule_reject,
    offschedule_request,
    offschedule_request_by_id,
)
from yearend.scoping import NotVisible, organization_for, run_for, vendor_staff

PAGE_SIZE = 50


def _current_cycle() -> ResetCycle | None:
    try:
        return date_selectors.current_cycle()
    except NotFound:
        return ResetCycle.objects.order_by("-year").first()


def _cycle(year: str | None) -> ResetCycle | None:
    if year:
        try:
            return date_selectors.cycle_by_year(int(year))
        except (NotFound, ValueError):
            return None
    return _current_cycle()


def _field_errors(error: ServiceError, fields: dict[str, str]) -> dict[str, str]:
    """Place a service refusal beside the field it names (else above the form)."""
    return {fields.get(error.field or "", "general"): error.message}


# --------------------------------------------------------------------------- landing


@login_required
def home(request):
    vendor_staff(request.user)
    return render(request, "vendor/home.html", {"is_ops": request.user.role == Role.OPS})


# --------------------------------------------------------------------------- CSM


@login_required
def organizations(request):
    vendor_staff(request.user)
    cycles = list(ResetCycle.objects.order_by("-year"))
    cycle = _cycle(request.GET.get("cycle"))
    form = forms.OrganizationFilterForm(request.GET or None, choices=selectors.filter_choices())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = None
    if cycle is not None:
        rows = selectors.organizations_overview(
            cycle, **{k: v for k, v in filters.items() if v not in (None, "")}
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "vendor/organizations.html",
        {
            "form": form,
            "cycle": cycle,
            "cycles": cycles,
            "page": page,
            "query": query.urlencode(),
            "states": selectors.RESET_STATES,
            "sources": dict(ResetDateSource.choices),
        },
    )


@login_required
def organization(request, site_code: str):
    user = vendor_staff(request.user)
    organization = organization_for(user, site_code)
    cycle = _cycle(request.GET.get("cycle") or request.POST.get("cycle"))
    form = forms.DateSetForm(request.POST or None)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        vendor_staff(user, Role.CSM)
        if cycle is None:
            raise Http404("No reset cycle")
        if form.is_valid():
            try:
                result = reset_date_set(
                    organization=organization,
                    cycle=cycle,
                    new_date=form.cleaned_data["new_date"],
                    acting_user=user,
                    reason=form.cleaned_data["reason"],
                    via=Via.PORTAL,
                )
            except ServiceError as error:
                errors = _field_errors(error, {"date": "new_date", "reason": "reason"})
                status = 400
            else:
                messages.success(
                    request,
                    f"The {cycle.year} reset date of {organization.site_code} is now "
                    f"{result.reset_date.reset_date:%A, %B %-d, %Y}.",
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect(
                    f"{reverse('vendor:organization', args=[organization.site_code])}"
                    f"?cycle={cycle.year}"
                )
        else:
            status = 400
    record = (
        OrganizationResetDate.tenant.of(organization).filter(cycle=cycle).first() if cycle else None
    )
    return render(
        request,
        "vendor/organization.html",
        {
            "organization": organization,
            "cycle": cycle,
            "record": record,
            "history": date_selectors.reset_date_history(organization, cycle) if cycle else [],
            "form": form,
            "errors": errors,
            "may_set": user.role == Role.CSM,
            "is_ops": user.role == Role.OPS,
            "runs": selectors.runs_overview(search="").filter(organization=organization)[:5],
        },
        status=status,
    )


@login_required
def cycles(request):
    user = vendor_staff(request.user)
    create_form = forms.CycleCreateForm(prefix="create")
    assign_form = forms.AssignForm(prefix="assign")
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        vendor_staff(user, Role.CSM)
        create_form = forms.CycleCreateForm(request.POST, prefix="create")
        if create_form.is_valid():
            data = create_form.cleaned_data
            try:
                cycle = reset_cycle_create(
                    year=data["year"],
                    defaults=parse_days(data["defaults"], option="defaults"),
                    window_start=data["window_start"],
                    window_end=data["window_end"],
                    acting_user=user,
                    via=Via.PORTAL,
                )
            except ServiceError as error:
                errors = _field_errors(
                    error, {"year": "year", "defaults": "defaults", "window": "window_start"}
                )
                status = 400
            else:
                messages.success(request, f"Created the {cycle.year} reset cycle.")
                return redirect("vendor:cycles")
        else:
            status = 400
    with_dates = dict(
        OrganizationResetDate.unscoped.order_by()
        .values("cycle_id")
        .annotate(n=Count("pk"))
        .values_list("cycle_id", "n")
    )
    rows = [
        {"cycle": c, "with_date": with_dates.get(c.pk, 0), "defaults": list(c.defaults.all())}
        for c in ResetCycle.objects.prefetch_related("defaults").order_by("-year")
    ]
    return render(
        request,
        "vendor/cycles.html",
        {
            "rows": rows,
            "organizations": Organization.objects.count(),
            "create_form": create_form,
            "assign_form": assign_form,
            "errors": errors,
            "may_write": user.role == Role.CSM,
        },
        status=status,
    )


@login_required
@require_POST
def assign(request):
    """Confirm step first (what will happen), then the assignment and its result."""
    user = vendor_staff(request.user, Role.CSM)
    form = forms.AssignForm(request.POST, prefix="assign")
    if not form.is_valid():
        messages.error(request, "Choose a cycle and, optionally, a capacity of at least 1.")
        return redirect("vendor:cycles")
    cycle = _cycle(str(form.cleaned_data["year"]))
    if cycle is None:
        raise Http404("No such cycle")
    capacity = form.cleaned_data["capacity"]
    context = {"cycle": cycle, "capacity": capacity, "form": form}
    if request.POST.get("confirm") != "yes":
        having = OrganizationResetDate.unscoped.filter(cycle=cycle).count()
        context.update(
            without_date=Organization.objects.count() - having,
            having=having,
            defaults=date_selectors.default_dates(cycle),
        )
        return render(request, "vendor/assign_confirm.html", context)
    try:
        result = reset_dates_assign(
            cycle=cycle, capacity=capacity, acting_user=user, via=Via.PORTAL
        )
    except ServiceError as error:
        context.update(error=error.message)
        return render(request, "vendor/assign_confirm.html", context, status=400)
    return render(request, "vendor/assign_result.html", {"result": result, "cycle": cycle})


@login_required
def load(request):
    vendor_staff(request.user)
    cycle = _cycle(request.GET.get("cycle"))
    days = selectors.load_per_day(cycle) if cycle else []
    most_orgs = max((d.organizations for d in days), default=0) or 1
    most_students = max((d.students for d in days), default=0) or 1
    bar_rows = [
        {
            "day": d,
            "y": 34 + i * 44,
            "org_width": round(300 * d.organizations / most_orgs, 1),
            "student_width": round(300 * d.students / most_students, 1),
        }
        for i, d in enumerate(days)
    ]
    return render(
        request,
        "vendor/load.html",
        {
            "cycle": cycle,
            "cycles": ResetCycle.objects.order_by("-year"),
            "days": days,
            "bars": bar_rows,
            "chart_height": 40 + 44 * len(days),
            "total_orgs": sum(d.organizations for d in days),
            "total_students": sum(d.students for d in days),
        },
    )


# --------------------------------------------------------------------------- operations


@login_required
def runs(request):
    user = vendor_staff(request.user)
    form = forms.RunFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(
        selectors.runs_overview(state=filters.get("state", ""), search=filters.get("search", "")),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "vendor/runs.html",
        {"form": form, "page": page, "query": query.urlencode(), "is_ops": user.role == Role.OPS},
    )


def _run_context(user, run) -> dict:
    return {
        "run": run,
        "steps": selectors.run_steps(run),
        "schools": selectors.run_schools(run),
        "live": run.status == Status.RUNNING,
        "is_ops": user.role == Role.OPS,
    }


@login_required
def run_detail(request, run_id: int):
    user = vendor_staff(request.user)
    run = run_for(user, run_id)
    return render(request, "vendor/run.html", _run_context(user, run))


@login_required
def run_progress(request, run_id: int):
    """The live part of the run page; htmx polls it while the run is running."""
    user = vendor_staff(request.user)
    run = run_for(user, run_id)
    if not is_htmx(request):
        return redirect("vendor:run", run_id=run.pk)
    return render(request, "vendor/_run_progress.html", _run_context(user, run))


@login_required
@require_POST
def run_resume(request, run_id: int):
    user = vendor_staff(request.user, Role.OPS)
    run = run_for(user, run_id)
    try:
        run = reset_resume_in_background(run=run, acting_user=user, via=Via.PORTAL)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Run {run.pk} resumed: now {run.get_status_display().lower()}.")
    return redirect("vendor:run", run_id=run.pk)


@login_required
def run_certificate(request, run_id: int, kind: str):
    user = vendor_staff(request.user)
    run = run_for(user, run_id)
    try:
        path = certificate_download(run=run, kind=kind, actor=user, via=Via.PORTAL)
    except NotFound:
        raise Http404("No certificate yet") from None
    return certificate_response(path, kind)


@login_required
def offschedule(request):
    user = vendor_staff(request.user, Role.OPS)
    form = forms.OffScheduleRequestForm(
        request.POST or None, initial={"site_code": request.GET.get("org", "")}
    )
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                organization = organization_for(user, form.cleaned_data["site_code"].strip())
            except Http404:
                errors = {"site_code": f"No organization {form.cleaned_data['site_code']!r}."}
                status = 400
            else:
                try:
                    made = offschedule_request(
                        organization=organization,
                        reason=form.cleaned_data["reason"],
                        acting_user=user,
                        via=Via.PORTAL,
                    )
                except ServiceError as error:
                    errors = _field_errors(error, {"reason": "reason", "organization": "site_code"})
                    status = 400
                else:
                    messages.success(
                        request,
                        f"Request {made.pk} for {organization.site_code} is waiting for a "
                        "second operations user to approve it.",
                    )
                    return redirect("vendor:offschedule")
        else:
            status = 400
    requests = selectors.offschedule_requests()[:100]
    return render(
        request,
        "vendor/offschedule.html",
        {"form": form, "errors": errors, "requests": requests, "reject_form": forms.RejectForm()},
        status=status,
    )


def _request(request_id: int):
    try:
        return offschedule_request_by_id(request_id)
    except NotFound:
        raise NotVisible("No such request") from None


@login_required
@require_POST
def offschedule_approve_view(request, request_id: int):
    user = vendor_staff(request.user, Role.OPS)
    pending = _request(request_id)
    try:
        run = offschedule_approve(request=pending, acting_user=user, via=Via.PORTAL)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("vendor:offschedule")
    messages.success(
        request, f"Approved: reset run {run.pk} of {pending.organization.site_code} started."
    )
    return redirect("vendor:run", run_id=run.pk)


@login_required
@require_POST
def offschedule_reject_view(request, request_id: int):
    user = vendor_staff(request.user, Role.OPS)
    pending = _request(request_id)
    form = forms.RejectForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        offschedule_reject(request=pending, acting_user=user, note=note, via=Via.PORTAL)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Request {pending.pk} rejected; nothing runs.")
    return redirect("vendor:offschedule")
