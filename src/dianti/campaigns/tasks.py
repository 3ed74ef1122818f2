from celery import shared_task


@shared_task(name="dianti.deadline_reminders")
def deadline_reminders_task() -> int:
    from .services import deadline_reminders

    return deadline_reminders()
