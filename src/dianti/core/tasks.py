from celery import shared_task


@shared_task(name="dianti.run_job")
def run_job_task(job_id: int) -> None:
    from .jobs import run

    run(job_id)
