import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django_otp.plugins.otp_email.models import EmailDevice
from freezegun import freeze_time

from jaklitera.models import OutboundEmail
from members.models import Member, User
from members.services import signup as services
from tests.factories import UnconfirmedUserFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Rahasia-Kuat-123"


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    def _start(email="siti@example.com", ip="10.0.0.1", phone="+6281234567890"):
        with django_capture_on_commit_callbacks(execute=True):
            return services.signup_start(email=email, phone=phone, password=PASSWORD, language="id", ip=ip)

    return _start


def _code(user_id):
    return EmailDevice.objects.get(user_id=user_id).token


def _code_in(message):
    return next(word for word in message.body.split() if word.isdigit() and len(word) == 6)


def test_signup_creates_inactive_account_and_emails_a_6_digit_code(start):
    pending = start(email="  Siti@Example.COM ")
    user = User.objects.get(pk=pending.user_id)
    assert user.email == "siti@example.com"
    assert not user.is_active and user.email_confirmed_at is None
    assert user.check_password(PASSWORD)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["siti@example.com"]
    code = _code_in(mail.outbox[0])
    assert code == _code(user.pk) and len(code) == 6
    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmail.Status.SENT
    assert code not in str(row.context)  # the code is never stored in the outbox


def test_correct_code_confirms_and_creates_unverified_member(start):
    pending = start()
    user = services.signup_confirm(pending=pending, code=_code(pending.user_id))
    user.refresh_from_db()
    assert user.is_active and user.email_confirmed_at is not None
    assert user.member.status == Member.Status.BELUM_TERVERIFIKASI


def test_code_works_once(start):
    pending = start()
    code = _code(pending.user_id)
    services.signup_confirm(pending=pending, code=code)
    with pytest.raises(services.AlreadyConfirmed):
        services.signup_confirm(pending=pending, code=code)


def test_code_expires_after_10_minutes(start):
    with freeze_time("2026-12-04 10:00:00"):
        pending = start()
        code = _code(pending.user_id)
    with freeze_time("2026-12-04 10:10:01"), pytest.raises(services.OtpExpired):
        services.signup_confirm(pending=pending, code=code)
    assert not User.objects.get(pk=pending.user_id).is_active


def test_code_still_valid_at_9_minutes(start):
    with freeze_time("2026-12-04 10:00:00"):
        pending = start()
        code = _code(pending.user_id)
    with freeze_time("2026-12-04 10:09:50"):
        services.signup_confirm(pending=pending, code=code)


def test_five_wrong_codes_void_the_code(start):
    pending = start()
    code = _code(pending.user_id)
    wrong = "000000" if code != "000000" else "111111"
    for remaining in [4, 3, 2, 1]:
        with pytest.raises(services.OtpWrong) as info:
            services.signup_confirm(pending=pending, code=wrong)
        assert info.value.remaining == remaining
    with pytest.raises(services.OtpVoid):
        services.signup_confirm(pending=pending, code=wrong)
    # Even the right code no longer works: a new one must be requested.
    with pytest.raises(services.OtpVoid):
        services.signup_confirm(pending=pending, code=code)


def test_resend_is_refused_during_60s_cooldown_then_allowed(start, django_capture_on_commit_callbacks):
    with freeze_time("2026-12-04 10:00:00"):
        pending = start()
        first = _code(pending.user_id)
    with freeze_time("2026-12-04 10:00:30"), pytest.raises(services.OtpCooldown) as info:
        services.otp_resend(pending=pending, ip="10.0.0.1")
    assert 29 <= info.value.seconds <= 31
    with freeze_time("2026-12-04 10:01:01"), django_capture_on_commit_callbacks(execute=True):
        services.otp_resend(pending=pending, ip="10.0.0.1")
    second = _code(pending.user_id)
    assert len(mail.outbox) == 2
    assert _code_in(mail.outbox[1]) == second
    # The old code is replaced by the new one.
    if first != second:
        with freeze_time("2026-12-04 10:01:02"), pytest.raises(services.OtpWrong):
            services.signup_confirm(pending=pending, code=first)


def test_new_code_after_void_works(start, django_capture_on_commit_callbacks):
    with freeze_time("2026-12-04 10:00:00"):
        pending = start()
        for _ in range(5):
            with pytest.raises(services.OtpError):
                services.signup_confirm(pending=pending, code="999999" if _code(pending.user_id) != "999999" else "1")
    with freeze_time("2026-12-04 10:02:00"):
        services.otp_resend(pending=pending, ip="10.0.0.1")
        services.signup_confirm(pending=pending, code=_code(pending.user_id))


@override_settings(OTP_SEND_RATE_PER_EMAIL="5/h", OTP_SEND_RATE_PER_IP="100/h")
def test_sends_are_rate_limited_per_email(start):
    base = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=datetime.UTC)
    pending = None
    for i in range(5):
        with freeze_time(base + datetime.timedelta(minutes=2 * i)):
            pending = start() if pending is None else services.otp_resend(pending=pending, ip="10.0.0.1") or pending
    with freeze_time(base + datetime.timedelta(minutes=11)), pytest.raises(services.OtpSendLimited):
        services.otp_resend(pending=pending, ip="10.0.0.9")
    assert EmailDevice.objects.count() == 1
    with freeze_time(base + datetime.timedelta(hours=1, minutes=1)):
        services.otp_resend(pending=pending, ip="10.0.0.1")


@override_settings(OTP_SEND_RATE_PER_EMAIL="100/h", OTP_SEND_RATE_PER_IP="5/h")
def test_sends_are_rate_limited_per_ip(start):
    with freeze_time("2026-12-04 10:00:00"):
        for i in range(5):
            start(email=f"orang{i}@example.com", ip="10.9.9.9")
        with pytest.raises(services.OtpSendLimited):
            start(email="orang6@example.com", ip="10.9.9.9")
        start(email="orang7@example.com", ip="10.9.9.10")  # another address is fine
    assert not User.objects.filter(email="orang6@example.com").exists()


def test_signup_again_with_unconfirmed_address_gives_fresh_code(start):
    with freeze_time("2026-12-04 10:00:00"):
        first = start(phone="+6281111111111")
    with freeze_time("2026-12-04 10:05:00"):
        second = start(phone="+6282222222222")
    assert first.user_id == second.user_id
    assert User.objects.count() == 1
    assert User.objects.get().phone == "+6282222222222"
    assert len(mail.outbox) == 2


def test_signup_with_confirmed_address_reveals_nothing_and_warns_owner(start):
    owner = UserFactory(email="pemilik@example.com")
    pending = start(email="pemilik@example.com")
    assert pending.user_id is None and pending.email == "pemilik@example.com"
    assert User.objects.count() == 1
    owner.refresh_from_db()
    assert owner.check_password("Rahasia-Kuat-123")  # unchanged
    assert len(mail.outbox) == 1
    assert "mencoba mendaftar" in mail.outbox[0].body
    assert not any(w.isdigit() and len(w) == 6 for w in mail.outbox[0].body.split())
    with pytest.raises(services.OtpWrong):
        services.signup_confirm(pending=pending, code="123456")


def test_email_change_sends_code_to_new_address(start, django_capture_on_commit_callbacks):
    pending = start(email="salah@exmaple.com")
    with django_capture_on_commit_callbacks(execute=True):
        new = services.signup_email_change(pending=pending, new_email="benar@example.com", ip="10.0.0.1")
    assert new.user_id == pending.user_id
    assert User.objects.get(pk=new.user_id).email == "benar@example.com"
    assert mail.outbox[-1].to == ["benar@example.com"]
    services.signup_confirm(pending=new, code=_code(new.user_id))


def test_email_change_to_confirmed_address_warns_owner(start, django_capture_on_commit_callbacks):
    UserFactory(email="pemilik@example.com")
    pending = start(email="salah@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        new = services.signup_email_change(pending=pending, new_email="pemilik@example.com", ip="10.0.0.1")
    assert new.user_id is None
    assert User.objects.get(pk=pending.user_id).email == "salah@example.com"
    assert "mencoba mendaftar" in mail.outbox[-1].body


def test_unconfirmed_accounts_older_than_24h_are_purged():
    with freeze_time("2026-12-03 09:00:00"):
        old = UnconfirmedUserFactory()
        UserFactory()  # confirmed: kept
        UnconfirmedUserFactory(is_staff=True)  # staff made in admin: kept
    with freeze_time("2026-12-04 08:00:00"):
        recent = UnconfirmedUserFactory()
    with freeze_time("2026-12-04 09:30:00"):
        assert services.unconfirmed_accounts_purge() == 1
    assert not User.objects.filter(pk=old.pk).exists()
    assert User.objects.filter(pk=recent.pk).exists()
    assert User.objects.count() == 3


def test_otp_task_arguments_never_contain_the_code(start, monkeypatch):
    from jaklitera import tasks

    calls = []
    monkeypatch.setattr(tasks.email_send, "delay", lambda *a, **kw: calls.append((a, kw)))
    pending = start()
    code = _code(pending.user_id)
    assert calls and all(code not in repr(call) for call in calls)
