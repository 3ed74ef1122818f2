from celery import shared_task


@shared_task(name="dianti.run_job")
def run_job_task(job_id: int) -> None:
    from .jobs import run

    run(job_id)


@shared_task(name="dianti.retention_sweep")
def retention_sweep_task() -> dict[str, int]:
    """Daily: erase anonymous submitters' device hashes and old job files (see :mod:`dianti.core.retention`)."""
    from .retention import sweep

    return sweep()
