"""A real Celery worker consumes the OTP email task from real Redis."""

import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from jaklitera.celery import app as celery_app
from jaklitera.models import OutboundEmail
from members.services import signup as services

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _reset_connections():
    # Earlier (eager) tests may have built a producer pool for the memory broker.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def real_celery(redis_url):
    keys = ("broker_url", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(broker_url=redis_url, task_always_eager=False)
    _reset_connections()
    celery_app.control.purge()
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        celery_app.conf.update(saved)
        _reset_connections()


def test_otp_email_goes_through_redis_and_a_real_worker(real_celery, monkeypatch):
    sent_args = []
    from jaklitera import tasks

    original = tasks.email_send.apply_async

    def spy(args=None, kwargs=None, **options):
        sent_args.append((args, kwargs))
        return original(args=args, kwargs=kwargs, **options)

    monkeypatch.setattr(tasks.email_send, "apply_async", spy)
    pending = services.signup_start(
        email="redis@example.com", phone="+6281234567890", password="Buku-Perpus-2026", language="id", ip="10.1.1.1"
    )
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert mail.outbox, f"the worker did not deliver the OTP email: {list(OutboundEmail.objects.values())}"
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT
    # The broker only ever saw the outbox id, never the code.
    assert sent_args and all(code not in repr(args) for args in sent_args)
    services.signup_confirm(pending=pending, code=code)
