from django_tasks import task


@task()
def run_export_job(job_id: int) -> None:
    from yearend.reports.services import export_job_run

    export_job_run(job_id=job_id)
