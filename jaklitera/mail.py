"""The email outbox: record first, send from a Celery task, never lose, never send twice.

Each app registers a *builder* per email kind (``@email_builder("otp")``) in its
``emails.py``. A builder turns an :class:`OutboundEmail` row into a message at
send time, so secrets (OTP codes, reset tokens) are read from their own rows at
that moment and never stored in the outbox, a task argument or the broker.
"""

import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboundEmail

logger = logging.getLogger(__name__)

Builder = Callable[[OutboundEmail], EmailMultiAlternatives | None]
_BUILDERS: dict[str, Builder] = {}

CLAIM_FOR = timedelta(minutes=5)
MAX_ATTEMPTS = 8


class TransientEmailError(Exception):
    """The mail server or network failed; the email is retried later."""


def email_builder(kind: str) -> Callable[[Builder], Builder]:
    def register(func: Builder) -> Builder:
        _BUILDERS[kind] = func
        return func

    return register


def email_render(*, template: str, to: str, context: dict) -> EmailMultiAlternatives:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` into one message."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def email_queue(
    *, kind: str, to: str, user=None, context: dict | None = None, language: str | None = None
) -> OutboundEmail:
    """Record an email and hand it to Celery once the surrounding transaction commits.

    If the broker is down the row stays ``pending`` and ``email_flush`` sends it later.
    """
    return email_queue_many(kind=kind, emails=[(to, user, context)], language=language)[0]


def email_queue_many(
    *, kind: str, emails: list[tuple[str, object, dict | None]], language: str | None = None
) -> list[OutboundEmail]:
    """``email_queue`` for many recipients at once, ``(to, user, context)`` each: one INSERT,
    for a transaction that holds a lock meanwhile (closing a session emails all its visitors)."""
    if kind not in _BUILDERS:
        raise ValueError(f"No email builder registered for {kind!r}")
    rows = OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                kind=kind,
                to=to,
                user=user,
                context=context or {},
                language=language or getattr(user, "language", None) or settings.LANGUAGE_CODE,
            )
            for to, user, context in emails
        ]
    )
    for row in rows:
        transaction.on_commit(partial(_enqueue, row.pk))
    return rows


def _enqueue(email_id: int) -> None:
    from .tasks import email_send

    try:
        email_send.delay(email_id)
    except Exception:  # broker down: the periodic flush delivers it
        logger.warning("Could not enqueue email %s; email_flush will send it", email_id, exc_info=True)


def email_deliver(*, email_id: int) -> bool:
    """Send one outbox email if nobody else is sending it. Returns True if sent now.

    At-least-once safe: the row is claimed by one conditional UPDATE, so a
    redelivered task or the flush job finds it claimed or sent and returns.
    Raises :class:`TransientEmailError` when the mail server fails.
    """
    now = timezone.now()
    claimed = (
        OutboundEmail.objects.filter(pk=email_id)
        .filter(Q(status=OutboundEmail.Status.PENDING) | Q(status=OutboundEmail.Status.SENDING, claimed_until__lt=now))
        .update(status=OutboundEmail.Status.SENDING, claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    row = OutboundEmail.objects.select_related("user").get(pk=email_id)
    try:
        with translation.override(row.language):
            message = _BUILDERS[row.kind](row)
        if message is not None:
            message.send()
    except (smtplib.SMTPException, OSError) as exc:
        _finish(row, _retry_or_fail(row), error=type(exc).__name__)
        raise TransientEmailError(str(row.pk)) from exc
    except Exception as exc:
        # A bug (template, data): back to the queue so a fix can send it, but never forever.
        _finish(row, _retry_or_fail(row), error=type(exc).__name__)
        raise
    if message is None:
        _finish(row, OutboundEmail.Status.CANCELLED)
        return False
    _finish(row, OutboundEmail.Status.SENT)
    return True


def _retry_or_fail(row: OutboundEmail) -> str:
    return OutboundEmail.Status.FAILED if row.attempts >= MAX_ATTEMPTS else OutboundEmail.Status.PENDING


def _finish(row: OutboundEmail, status: str, *, error: str = "") -> None:
    row.status = status
    row.claimed_until = None
    row.last_error = error
    if status == OutboundEmail.Status.SENT:
        row.sent_at = timezone.now()
    row.save(update_fields=["status", "claimed_until", "last_error", "sent_at"])


def email_flush(*, older_than: timedelta = timedelta(seconds=30), limit: int = 200) -> int:
    """Send what is still unsent (broker was down, worker died). Returns how many were sent."""
    now = timezone.now()
    ids = list(
        OutboundEmail.objects.filter(
            Q(status=OutboundEmail.Status.PENDING, created_at__lt=now - older_than)
            | Q(status=OutboundEmail.Status.SENDING, claimed_until__lt=now)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for email_id in ids:
        try:
            sent += email_deliver(email_id=email_id)
        except TransientEmailError:
            logger.warning("Email %s failed again; will retry", email_id)
        except Exception:
            # One broken email must not stop the others behind it.
            logger.exception("Email %s could not be built or sent", email_id)
    return sent
