"""Beat jobs of the visits app: thin entry points to services."""

from celery import shared_task

from . import services


@shared_task
def sessions_generate() -> int:
    return services.sessions_generate().created


@shared_task
def reminders_send() -> int:
    return services.reminders_send()


@shared_task
def quota_check() -> int:
    return len(services.quota_check())
