from celery import shared_task

from . import mail


@shared_task(
    autoretry_for=(mail.TransientEmailError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=6,
    acks_late=True,
)
def email_send(email_id: int) -> None:
    mail.email_deliver(email_id=email_id)


@shared_task
def email_flush() -> int:
    return mail.email_flush()
