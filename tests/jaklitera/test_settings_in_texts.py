"""Texts that state a setting's value follow the setting (an operator may change it by
environment variable), in Indonesian and in English."""

import pytest
from django.urls import reverse
from django.utils import translation

from members.services import signup as signup_services
from tests.visits.conftest import schedule_default


def test_otp_messages_follow_their_settings(settings):
    settings.OTP_EMAIL_TOKEN_VALIDITY = 15 * 60
    settings.OTP_MAX_FAILURES = 3
    assert "berlaku 15 menit" in str(signup_services.OtpExpired())
    assert "setelah 3 kali salah" in str(signup_services.OtpVoid())
    with translation.override("en"):
        assert "valid for 15 minutes" in str(signup_services.OtpExpired())
        assert "after 3 wrong attempts" in str(signup_services.OtpVoid())
    settings.OTP_MAX_FAILURES = 1
    with translation.override("en"):
        assert "after 1 wrong attempt." in str(signup_services.OtpVoid())


@pytest.mark.django_db
def test_the_booking_window_text_follows_the_setting(client, settings):
    schedule_default()
    assert "untuk 7 hari ke depan" in client.get(reverse("visits:availability")).content.decode()
    settings.VISITS_BOOKING_WINDOW_DAYS = 14
    client.cookies["django_language"] = "en"
    assert "in the next 14 days" in client.get(reverse("visits:availability")).content.decode()


@pytest.mark.django_db
def test_the_group_decision_days_follow_the_setting(client, settings):
    from tests.factories import UserFactory

    settings.GROUP_VISIT_DECISION_WORKING_DAYS = 5
    client.force_login(UserFactory())
    assert "paling lama 5 hari kerja" in client.get(reverse("visits:group_create")).content.decode()


@pytest.mark.parametrize(
    ("rate", "window"), [("5/15m", 900), ("20/h", 3600), ("3/2h", 7200), ("10/30s", 30), ("1/d", 86400)]
)
def test_rate_windows(rate, window):
    from jaklitera.ratelimit import rate_window_seconds

    assert rate_window_seconds(rate) == window


@pytest.mark.django_db
def test_the_login_throttle_says_how_long_to_wait(client, settings):
    from tests.factories import UserFactory

    settings.LOGIN_RATE_PER_EMAIL = "2/30m"
    user = UserFactory()
    for _ in range(2):
        client.post(reverse("members:login"), {"email": user.email, "password": "salah-sekali"})
    response = client.post(reverse("members:login"), {"email": user.email, "password": "salah-sekali"})
    assert response.status_code == 429
    assert "coba lagi dalam 30 menit" in response.content.decode()
