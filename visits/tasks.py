"""Beat jobs of the visits app: thin entry points to services."""

from celery import shared_task

from . import services
from .services import noshows


@shared_task
def sessions_generate() -> int:
    return services.sessions_generate().created


@shared_task
def reminders_send() -> int:
    return services.reminders_send()


@shared_task
def quota_check() -> int:
    return len(services.quota_check())


@shared_task
def group_visits_expire() -> int:
    return services.group_visits_expire()


@shared_task
def noshows_mark() -> int:
    """Reservations not checked in by their session's last check-in time become no-shows."""
    return noshows.noshows_mark()
