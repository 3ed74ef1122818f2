from celery import shared_task


@shared_task(name="dianti.run_job")
def run_job_task(job_id: int) -> None:
    from .jobs import run

    run(job_id)


@shared_task(name="dianti.daily_sweeps")
def daily_sweeps_task() -> dict[str, object] | None:
    """Daily, from beat: every step's daily sweep and the retention sweep, unless today's already ran (see
    :func:`dianti.core.daily.run_due`)."""
    from .daily import run_due

    run = run_due()
    return run.results if run else None


@shared_task(name="dianti.wide_counts")
def wide_counts_task() -> dict[str, object]:
    """Every minute, from beat: count the provinces' and cities' figures ahead of their visitors (:mod:`.warm`)."""
    from .warm import wide_counts

    return wide_counts()


@shared_task(name="dianti.deliver_outbound")
def deliver_outbound_task(outbound_id: int) -> str:
    """One attempt at one outbound message (:func:`dianti.core.outbound.deliver`); a retry is sent again with a
    countdown by the attempt itself."""
    from .outbound import deliver

    return deliver(outbound_id)


@shared_task(name="dianti.outbound_due")
def outbound_due_task() -> int:
    """Every minute, from beat: send the outbound messages that are due and whose task was lost."""
    from .outbound import deliver_due

    return deliver_due()
