"""Daftar: account creation, the email OTP, and cleanup of abandoned signups.

The OTP lives on django-otp's EmailDevice row (code, expiry, failure count,
cooldown). It is never passed to a task or logged: the email task loads the
device by id when it renders the message (members/emails.py).
"""

import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_email.models import EmailDevice

from jaklitera.errors import ApplicationError, RateLimited
from jaklitera.mail import email_queue
from jaklitera.ratelimit import rate_hit

from ..models import Member, User

logger = logging.getLogger(__name__)

DEVICE_NAME = "signup"


class OtpError(ApplicationError):
    default_message = _("Kode OTP tidak dapat diproses.")


class OtpWrong(OtpError):
    def __init__(self, remaining: int):
        super().__init__(
            ngettext(
                "Kode OTP salah. Sisa %(n)d kali percobaan.",
                "Kode OTP salah. Sisa %(n)d kali percobaan.",
                remaining,
            )
            % {"n": remaining}
        )
        self.remaining = remaining


class OtpExpired(OtpError):
    def __init__(self):
        minutes = settings.OTP_EMAIL_TOKEN_VALIDITY // 60
        super().__init__(
            ngettext(
                "Kode OTP sudah kedaluwarsa (berlaku %(n)d menit). Silakan minta kode baru.",
                "Kode OTP sudah kedaluwarsa (berlaku %(n)d menit). Silakan minta kode baru.",
                minutes,
            )
            % {"n": minutes}
        )


class OtpVoid(OtpError):
    def __init__(self):
        failures = settings.OTP_MAX_FAILURES
        super().__init__(
            ngettext(
                "Kode OTP tidak berlaku lagi setelah %(n)d kali salah. Silakan minta kode baru.",
                "Kode OTP tidak berlaku lagi setelah %(n)d kali salah. Silakan minta kode baru.",
                failures,
            )
            % {"n": failures}
        )


class OtpCooldown(OtpError):
    def __init__(self, seconds: int):
        super().__init__(
            ngettext(
                "Tunggu %(s)d detik sebelum meminta kode baru.",
                "Tunggu %(s)d detik sebelum meminta kode baru.",
                seconds,
            )
            % {"s": seconds}
        )
        self.seconds = seconds


class OtpSendLimited(RateLimited):
    default_message = _("Terlalu banyak permintaan kode OTP. Silakan coba lagi dalam 1 jam.")


class AlreadyConfirmed(OtpError):
    default_message = _("Email ini sudah terkonfirmasi. Silakan masuk.")


@dataclass(frozen=True)
class SignupPending:
    """What the OTP page needs: the address shown, and the account to confirm.

    ``user_id`` is None when the address already belongs to a confirmed account:
    the page looks the same, but no code exists, so nothing is revealed.
    """

    email: str
    user_id: int | None


def _send_rate_check(*, email: str, ip: str) -> None:
    over_email = rate_hit(group="otp-send-email", key=email, rate=settings.OTP_SEND_RATE_PER_EMAIL)
    over_ip = rate_hit(group="otp-send-ip", key=ip or "-", rate=settings.OTP_SEND_RATE_PER_IP)
    if over_email or over_ip:
        logger.info("OTP send rate limit reached (email=%s ip=%s)", over_email, over_ip)
        raise OtpSendLimited()


def _device_for(user: User, *, lock: bool = False) -> EmailDevice:
    queryset = EmailDevice.objects.select_for_update() if lock else EmailDevice.objects
    device = queryset.filter(user=user, name=DEVICE_NAME).first()
    if device is None:
        device = EmailDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def otp_cooldown_remaining(*, user_id: int | None) -> int:
    """Seconds until a new code may be requested (0 when allowed now)."""
    if user_id is None:
        return 0
    device = EmailDevice.objects.filter(user_id=user_id, name=DEVICE_NAME).first()
    if device is None or device.last_generated_timestamp is None:
        return 0
    ready_at = device.last_generated_timestamp + timedelta(seconds=settings.OTP_EMAIL_COOLDOWN_DURATION)
    return max(0, int((ready_at - timezone.now()).total_seconds() + 0.999))


def _otp_issue(*, user: User, ip: str) -> None:
    """Generate a fresh 6-digit code on the user's device and queue its email.

    Must run inside a transaction. Raises OtpCooldown or OtpSendLimited.
    """
    device = _device_for(user, lock=True)
    allowed, info = device.generate_is_allowed()
    if not allowed:
        remaining = int((info["next_generation_at"] - timezone.now()).total_seconds() + 0.999)
        raise OtpCooldown(max(1, remaining))
    _send_rate_check(email=user.email, ip=ip)
    device.generate_token(length=6, valid_secs=settings.OTP_EMAIL_TOKEN_VALIDITY, commit=False)
    device.cooldown_set(commit=False)
    device.throttle_reset(commit=False)
    device.save()
    email_queue(kind="otp", to=user.email, user=user, context={"device_id": device.pk})


def signup_start(*, email: str, phone: str, password: str, language: str, ip: str) -> SignupPending:
    """Start (or restart) a signup and send a code.

    - New address: an inactive account is created and a code is sent.
    - Address of an unconfirmed account: its phone and password are replaced
      and a fresh code is sent (unless one was sent under a minute ago; that
      one stays valid).
    - Address of a confirmed account: nothing changes; the owner is emailed
      that someone tried to register. The result looks the same to the caller.

    Raises OtpSendLimited when the per-email or per-IP send limit is reached.
    """
    email = User.objects.normalize_email(email)
    for _attempt in range(2):
        try:
            return _signup_start(email=email, phone=phone, password=password, language=language, ip=ip)
        except IntegrityError:
            # Two signups for the same new address at once: the loser takes the "exists" path.
            continue
    raise OtpError()


@transaction.atomic
def _signup_start(*, email: str, phone: str, password: str, language: str, ip: str) -> SignupPending:
    user = User.objects.select_for_update().filter(email=email).first()
    if user is not None and user.email_confirmed:
        _send_rate_check(email=email, ip=ip)
        email_queue(kind="signup_exists", to=email, user=user)
        return SignupPending(email=email, user_id=None)
    if user is None:
        with transaction.atomic():
            user = User.objects.create_user(email, password, phone=phone, language=language, is_active=False)
    else:
        user.phone = phone
        user.language = language
        user.set_password(password)
        user.save(update_fields=["phone", "language", "password"])
    with contextlib.suppress(OtpCooldown):  # a code went out moments ago and is still valid
        _otp_issue(user=user, ip=ip)
    return SignupPending(email=email, user_id=user.pk)


@transaction.atomic
def otp_resend(*, pending: SignupPending, ip: str) -> None:
    """Send a new code for a pending signup. Raises OtpCooldown, OtpSendLimited, AlreadyConfirmed."""
    if pending.user_id is None:
        # Address of a confirmed account: count it like a real send, send nothing.
        _send_rate_check(email=pending.email, ip=ip)
        return
    user = User.objects.select_for_update().filter(pk=pending.user_id).first()
    if user is None:
        raise OtpExpired()
    if user.email_confirmed:
        raise AlreadyConfirmed()
    _otp_issue(user=user, ip=ip)


def signup_confirm(*, pending: SignupPending, code: str) -> User:
    """Check the code; on success confirm the email, activate the account and
    create its Member (status BELUM_TERVERIFIKASI).

    Raises OtpWrong (with attempts left), OtpExpired, OtpVoid or AlreadyConfirmed.
    """
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if pending.user_id is None:
        raise OtpWrong(remaining=settings.OTP_MAX_FAILURES - 1)
    error = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=pending.user_id).first()
        if user is None:
            raise OtpExpired()
        if user.email_confirmed:
            raise AlreadyConfirmed()
        device = _device_for(user, lock=True)
        now = timezone.now()
        if device.token is None:
            error = OtpVoid() if device.throttling_failure_count >= settings.OTP_MAX_FAILURES else OtpExpired()
        elif device.valid_until is None or now >= device.valid_until:
            error = OtpExpired()
        elif not constant_time_compare(code, device.token):
            device.throttle_increment(commit=False)
            remaining = settings.OTP_MAX_FAILURES - device.throttling_failure_count
            if remaining <= 0:
                device.token = None  # void: a new code must be requested
                error = OtpVoid()
            else:
                error = OtpWrong(remaining=remaining)
            device.save(update_fields=["token", "throttling_failure_count", "throttling_failure_timestamp"])
        else:
            device.token = None  # single use
            device.valid_until = now
            device.confirmed = True
            device.throttle_reset(commit=False)
            device.set_last_used_timestamp(commit=False)
            device.save()
            user.is_active = True
            user.email_confirmed_at = now
            user.save(update_fields=["is_active", "email_confirmed_at"])
            Member.objects.get_or_create(user=user)
    if error is not None:
        raise error
    return user


@transaction.atomic
def signup_email_change(*, pending: SignupPending, new_email: str, ip: str) -> SignupPending:
    """Correct a mistyped address before confirming; a code goes to the new address.

    An unconfirmed account already holding the new address is dropped (nobody
    proved they own it). A confirmed one is never touched or revealed: its
    owner gets the "someone tried to register" email.
    """
    new_email = User.objects.normalize_email(new_email)
    if new_email == pending.email:
        return pending
    user = None
    if pending.user_id is not None:
        user = User.objects.select_for_update().filter(pk=pending.user_id).first()
        if user is not None and user.email_confirmed:
            raise AlreadyConfirmed()
    other = User.objects.select_for_update().filter(email=new_email).first()
    if other is not None and other.email_confirmed:
        _send_rate_check(email=new_email, ip=ip)
        email_queue(kind="signup_exists", to=new_email, user=other)
        return SignupPending(email=new_email, user_id=None)
    if user is None:
        # The earlier address was a decoy (confirmed elsewhere) or expired: start afresh on the next form.
        raise OtpExpired()
    if other is not None:
        other.delete()
    user.email = new_email
    user.save(update_fields=["email"])
    device = _device_for(user, lock=True)
    device.cooldown_reset(commit=False)
    device.token = None
    device.save()
    _otp_issue(user=user, ip=ip)
    return SignupPending(email=new_email, user_id=user.pk)


def unconfirmed_accounts_purge(*, now=None) -> int:
    """Delete signups never confirmed within UNCONFIRMED_ACCOUNT_TTL. Returns how many."""
    cutoff = (now or timezone.now()) - settings.UNCONFIRMED_ACCOUNT_TTL
    _total, by_model = User.objects.filter(
        email_confirmed_at__isnull=True,
        is_active=False,
        is_staff=False,
        is_superuser=False,
        date_joined__lt=cutoff,
    ).delete()
    return by_model.get(User._meta.label, 0)
