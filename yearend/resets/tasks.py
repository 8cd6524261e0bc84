"""Tasks take ids, load what they need and call a service; all are idempotent."""

from django_tasks import task

from yearend.resets import concurrency, services


@task(queue_name="resets")
def reset_start_task(organization_id: int, cycle_id: int) -> None:
    """Start a due reset the tick handed over (idempotent: one run per cycle) and drive it
    on in this job. A job of its own for the first steps would add a queue round trip and
    a job's overhead per district; a worker lost here leaves a running run whose heartbeat
    goes silent, which the tick re-drives like any other."""
    from yearend.organizations.models import Organization
    from yearend.resetdates.models import ResetCycle

    if not concurrency.run_slot_renew(organization_id, cycle_id):
        return  # its slot went to another reset while it waited; the tick hands it again
    run, created = services.reset_start(
        organization=Organization.objects.get(pk=organization_id),
        cycle=ResetCycle.objects.get(pk=cycle_id),
        advance=False,
    )
    if created:
        services.reset_advance(run.pk)
        # A small district ends here (its purge is done in place): its place goes to the
        # next due organization now, not at the next tick.
        concurrency.after_task(run.pk)


@task(queue_name="resets")
def reset_advance_task(run_id: int) -> None:
    services.reset_advance(run_id)
    concurrency.after_task(run_id)


@task(queue_name="resets")
def purge_school_task(run_id: int, school_id: int) -> None:
    services.purge_school(run_id, school_id)
    # The school's slot is free now: the next school (or organization) takes it.
    concurrency.after_task(run_id)
