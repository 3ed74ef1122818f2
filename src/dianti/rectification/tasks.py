from celery import shared_task


@shared_task(name="dianti.rectification_deadlines")
def rectification_deadlines_task() -> dict[str, int]:
    """Daily: remind, mark overdue and escalate (see :func:`dianti.rectification.deadlines.deadline_sweep`)."""
    from .deadlines import deadline_sweep

    return deadline_sweep()
