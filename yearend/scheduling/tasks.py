from django_tasks import task

from yearend.periodic import run_job


@task()
def run_periodic_job(name: str) -> None:
    run_job(name)
