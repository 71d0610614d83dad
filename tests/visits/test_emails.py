"""Emails through the outbox: confirmation with QR + .ics, reminder once, cancellation."""

import datetime

import pytest
from django.core import mail
from icalendar import Calendar

from visits import services
from visits.services import Child

from .conftest import MONDAY, session_at

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Run the on-commit email tasks (eager Celery) of what happens inside the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_confirmation_has_code_qr_and_ics(week, anggota, deliver):
    with deliver():
        reservation = services.reservation_create(
            user=anggota, session_id=session_at(TUESDAY, 9).pk, children=[Child("Dewi", 7)], acknowledged=True
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [anggota.email]
    assert reservation.code_display in message.subject
    assert reservation.code_display in message.body
    assert "Selasa, 9 Juni 2026" in message.body
    assert "09.00–13.00 WIB" in message.body and "12.00 WIB" in message.body
    assert "Anggota" in message.body and "Dewi" in message.body
    html = message.alternatives[0][0]
    assert reservation.code_display in html
    attachments = {name: (content, mimetype) for name, content, mimetype in message.attachments}
    ics, ics_type = attachments[f"reservasi-{reservation.code}.ics"]
    png, png_type = attachments[f"qr-{reservation.code}.png"]
    assert ics_type == "text/calendar" and png_type == "image/png"
    assert png.startswith(b"\x89PNG")
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("dtstart").isoformat() == "2026-06-09T09:00:00+07:00"
    assert event.decoded("dtend").isoformat() == "2026-06-09T13:00:00+07:00"
    assert reservation.code_display in str(event.get("summary"))
    assert "Taman Ismail Marzuki" in str(event.get("location"))


def test_non_anggota_confirmation_says_reading_on_site_only(week, non_anggota, deliver):
    with deliver():
        services.reservation_create(user=non_anggota, session_id=session_at(TUESDAY, 9).pk, acknowledged=True)
    assert "Non Anggota" in mail.outbox[0].body
    assert "membaca di tempat" in mail.outbox[0].body


def test_confirmation_not_sent_if_already_cancelled(week, anggota, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reservation = services.reservation_create(user=anggota, session_id=session_at(TUESDAY, 9).pk, acknowledged=True)
    services.reservation_cancel(reservation_id=reservation.pk, user=anggota)
    for callback in callbacks:
        callback()
    assert mail.outbox == []  # the builder sees the reservation is no longer active


def test_reminder_sent_once_with_attachments(week, anggota, deliver):
    services.reservation_create(user=anggota, session_id=session_at(TUESDAY, 9).pk, acknowledged=True)
    mail.outbox.clear()
    with deliver():
        services.reminders_send()
    with deliver():
        services.reminders_send()
    assert len(mail.outbox) == 1
    assert "besok" in mail.outbox[0].subject.lower()
    assert len(mail.outbox[0].attachments) == 2


def test_cancellation_email(week, anggota, deliver):
    reservation = services.reservation_create(user=anggota, session_id=session_at(TUESDAY, 9).pk, acknowledged=True)
    with deliver():
        services.reservation_cancel(reservation_id=reservation.pk, user=anggota)
    assert len(mail.outbox) == 1
    assert reservation.code_display in mail.outbox[0].subject
    assert "dibatalkan" in mail.outbox[0].subject


def test_session_closed_email_gives_the_reason(week, anggota, deliver):
    services.reservation_create(user=anggota, session_id=session_at(TUESDAY, 9).pk, acknowledged=True)
    with deliver():
        services.session_close(session_id=session_at(TUESDAY, 9).pk, reason="Perbaikan listrik")
    assert "ditutup oleh perpustakaan: Perbaikan listrik" in mail.outbox[0].body
