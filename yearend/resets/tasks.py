"""Tasks take ids, load what they need and call a service; all are idempotent."""

from django_tasks import task

from yearend.resets import concurrency, services


@task(queue_name="resets")
def reset_start_task(organization_id: int, cycle_id: int) -> None:
    """Start a due reset the tick handed over (idempotent: one run per cycle)."""
    from yearend.organizations.models import Organization
    from yearend.resetdates.models import ResetCycle

    services.reset_start(
        organization=Organization.objects.get(pk=organization_id),
        cycle=ResetCycle.objects.get(pk=cycle_id),
    )


@task(queue_name="resets")
def reset_advance_task(run_id: int) -> None:
    services.reset_advance(run_id)
    concurrency.after_task(run_id)


@task(queue_name="resets")
def purge_school_task(run_id: int, school_id: int) -> None:
    services.purge_school(run_id, school_id)
    # The school's slot is free now: the next school (or organization) takes it.
    concurrency.after_task(run_id)
