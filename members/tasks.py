from celery import shared_task

from .services.signup import unconfirmed_accounts_purge as _purge


@shared_task
def unconfirmed_accounts_purge() -> int:
    return _purge()
