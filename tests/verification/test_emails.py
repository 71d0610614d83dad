"""Approval and rejection emails: content, the member's language, no duplicates, broker outage."""

import pytest
from django.core import mail
from django.utils import translation
from freezegun import freeze_time

from jaklitera import mail as outbox
from jaklitera.models import OutboundEmail
from verification import services
from verification.models import Submission

pytestmark = pytest.mark.django_db


def _submission(member) -> Submission:
    return Submission.objects.get(member=member, status=Submission.Status.WAITING)


def _approve(member, reviewer, capture):
    with capture(execute=True):
        return services.submission_approve(submission_id=_submission(member).pk, reviewer=reviewer)


def _reject(member, reviewer, capture):
    with capture(execute=True):
        return services.submission_reject(
            submission_id=_submission(member).pk,
            reviewer=reviewer,
            reasons=["KTP_UNREADABLE", "OTHER"],
            note="KTP terpotong di sisi kanan & buram.",
        )


def test_approval_email_carries_terverifikasi_number_and_card_link(
    waiting, librarian, django_capture_on_commit_callbacks
):
    decision = _approve(waiting, librarian, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [waiting.user.email]
    assert "TERVERIFIKASI" in message.subject and decision.member_number in message.subject
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "TERVERIFIKASI" in body
        assert decision.member_number in body
        assert "http://127.0.0.1:8000/akun/kartu/" in body


def test_rejection_email_lists_reasons_note_and_fix_link(waiting, librarian, django_capture_on_commit_callbacks):
    _reject(waiting, librarian, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert "diperbaiki" in message.subject
    assert "KTP tidak terbaca" in message.body and "Lainnya" in message.body
    assert "KTP terpotong di sisi kanan & buram." in message.body  # plain text is not HTML-escaped
    assert "KTP terpotong di sisi kanan &amp; buram." in message.alternatives[0][0]
    assert "http://127.0.0.1:8000/akun/lengkapi-data/" in message.body


@pytest.mark.parametrize(("language", "month"), [("id", "Desember"), ("en", "December")])
def test_emails_are_rendered_in_the_members_language(
    waiting, librarian, django_capture_on_commit_callbacks, monkeypatch, language, month
):
    from verification import emails

    waiting.user.language = language
    waiting.user.save(update_fields=["language"])
    seen = []
    real_render = emails.email_render

    def spy(**kwargs):
        seen.append(translation.get_language())
        return real_render(**kwargs)

    monkeypatch.setattr(emails, "email_render", spy)
    with freeze_time("2026-12-04 03:00:00"):
        _approve(waiting, librarian, django_capture_on_commit_callbacks)
    assert seen == [language]
    assert OutboundEmail.objects.get().language == language
    assert f"4 {month} 2026" in mail.outbox[0].body  # Django's own month names follow the language


def test_a_delivered_email_is_never_sent_again(waiting, librarian, django_capture_on_commit_callbacks):
    _approve(waiting, librarian, django_capture_on_commit_callbacks)
    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmail.Status.SENT
    assert outbox.email_deliver(email_id=row.pk) is False  # redelivered task
    assert outbox.email_flush(older_than=__import__("datetime").timedelta(0)) == 0
    assert len(mail.outbox) == 1


def test_broker_outage_email_is_kept_and_flushed_once(
    waiting, librarian, django_capture_on_commit_callbacks, monkeypatch
):
    from jaklitera import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.email_send, "delay", broker_down)
    with freeze_time("2026-12-04 10:00:00"):
        _reject(waiting, librarian, django_capture_on_commit_callbacks)
    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmail.Status.PENDING and not mail.outbox
    with freeze_time("2026-12-04 10:01:00"):
        assert outbox.email_flush() == 1
        assert outbox.email_flush() == 0
    assert len(mail.outbox) == 1
    assert "KTP tidak terbaca" in mail.outbox[0].body


def test_rejection_email_is_cancelled_if_the_member_already_resubmitted(
    waiting, librarian, django_capture_on_commit_callbacks
):
    from members.services import profile

    with django_capture_on_commit_callbacks(execute=False):
        services.submission_reject(
            submission_id=_submission(waiting).pk, reviewer=librarian, reasons=["OTHER"], note="Cek lagi."
        )
    profile.member_submit(member=waiting)
    row = OutboundEmail.objects.get()
    assert outbox.email_deliver(email_id=row.pk) is False
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.CANCELLED and not mail.outbox
