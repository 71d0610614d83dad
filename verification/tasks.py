from celery import shared_task

from .services import documents_purge_expired as _purge


@shared_task
def documents_purge_expired() -> int:
    """Beat, nightly: delete documents kept past DOCUMENT_RETENTION_DAYS (docs/verification.md)."""
    return _purge()
