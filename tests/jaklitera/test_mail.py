import smtplib

import pytest
from django.core import mail
from freezegun import freeze_time

from jaklitera import mail as outbox
from jaklitera.models import OutboundEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _queue(user, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=kwargs.pop("execute", True)):
        return outbox.email_queue(kind="signup_exists", to=user.email, user=user)


def test_email_is_recorded_then_sent_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    row = _queue(user, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT and row.sent_at is not None
    assert len(mail.outbox) == 1
    # A redelivered task finds it sent and does nothing.
    assert outbox.email_deliver(email_id=row.pk) is False
    assert len(mail.outbox) == 1


def test_broker_down_email_is_kept_and_flushed_later(django_capture_on_commit_callbacks, monkeypatch):
    from jaklitera import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.email_send, "delay", broker_down)
    user = UserFactory()
    with freeze_time("2026-12-04 10:00:00"):
        row = _queue(user, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING
    assert not mail.outbox
    with freeze_time("2026-12-04 10:01:00"):
        assert outbox.email_flush() == 1
        assert outbox.email_flush() == 0
    assert len(mail.outbox) == 1


def test_smtp_failure_leaves_email_pending_for_retry(django_capture_on_commit_callbacks, monkeypatch):
    user = UserFactory()
    row = _queue(user, django_capture_on_commit_callbacks, execute=False)

    def smtp_down(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", smtp_down)
    with pytest.raises(outbox.TransientEmailError):
        outbox.email_deliver(email_id=row.pk)
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.PENDING and row.attempts == 1
    monkeypatch.undo()
    assert outbox.email_deliver(email_id=row.pk) is True
    assert len(mail.outbox) == 1


def test_worker_died_mid_send_claim_expires_and_flush_sends(django_capture_on_commit_callbacks):
    user = UserFactory()
    row = _queue(user, django_capture_on_commit_callbacks, execute=False)
    with freeze_time("2026-12-04 10:00:00"):
        OutboundEmail.objects.filter(pk=row.pk).update(status="sending", claimed_until="2026-12-04T10:05:00Z")
        assert outbox.email_flush() == 0  # still claimed by the (dead) worker
    with freeze_time("2026-12-04 10:06:00"):
        assert outbox.email_flush() == 1
    assert len(mail.outbox) == 1


def test_email_is_rendered_in_the_users_language(django_capture_on_commit_callbacks):
    user = UserFactory(language="en")
    _queue(user, django_capture_on_commit_callbacks)
    assert "tried to register" in mail.outbox[0].body or "mencoba" in mail.outbox[0].body


def test_a_broken_email_does_not_block_the_flush_and_is_not_retried_forever(
    django_capture_on_commit_callbacks, monkeypatch
):
    user = UserFactory()
    broken = _queue(user, django_capture_on_commit_callbacks, execute=False)
    healthy = _queue(user, django_capture_on_commit_callbacks, execute=False)
    real_builder = outbox._BUILDERS["signup_exists"]

    def builder(row):
        if row.pk == broken.pk:
            raise KeyError("template bug")
        return real_builder(row)

    monkeypatch.setitem(outbox._BUILDERS, "signup_exists", builder)
    with freeze_time("2026-12-04 10:00:00"):
        OutboundEmail.objects.update(created_at="2026-12-04T09:00:00Z")
        assert outbox.email_flush() == 1  # the healthy one went out behind the broken one
    broken.refresh_from_db()
    assert broken.status == OutboundEmail.Status.PENDING and broken.last_error == "KeyError"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [healthy.to]
    for _ in range(outbox.MAX_ATTEMPTS):
        with freeze_time("2026-12-04 10:00:00"):
            outbox.email_flush()
    broken.refresh_from_db()
    assert broken.status == OutboundEmail.Status.FAILED and broken.attempts == outbox.MAX_ATTEMPTS
