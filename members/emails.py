"""Email builders of the members app (see jaklitera/mail.py).

Each builder renders at send time and returns None when the email has no
purpose any more (e.g. the code was already used or replaced by expiry).
"""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_email.models import EmailDevice

from jaklitera.mail import email_builder, email_render


@email_builder("otp")
def build_otp(row):
    device = EmailDevice.objects.filter(pk=row.context.get("device_id")).first()
    if device is None or not device.token or device.valid_until is None or device.valid_until <= timezone.now():
        return None
    minutes = max(1, int((device.valid_until - timezone.now()).total_seconds() // 60))
    return email_render(template="otp", to=row.to, context={"code": device.token, "minutes": minutes})


@email_builder("signup_exists")
def build_signup_exists(row):
    return email_render(
        template="signup_exists",
        to=row.to,
        context={"login_path": reverse("members:login"), "reset_path": reverse("members:password_reset")},
    )


@email_builder("password_reset")
def build_password_reset(row):
    user = row.user
    if user is None or not user.is_active:
        return None
    # The token is made now, from the user's current state: it is never stored.
    path = reverse(
        "members:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return email_render(template="password_reset", to=row.to, context={"reset_path": path})
