import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_email.models import EmailDevice
from freezegun import freeze_time

from members.models import Member, User
from tests.factories import UnconfirmedUserFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "email": "siti@example.com",
    "phone": "0812-3456-7890",
    "password1": "Buku-Perpus-2026",
    "password2": "Buku-Perpus-2026",
    "agree": "on",
}


@pytest.fixture
def signup(client, django_capture_on_commit_callbacks):
    def _signup(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("members:signup"), {**FORM, **overrides})

    return _signup


def _code_from_mail():
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def test_signup_page_renders_with_fields(client):
    response = client.get(reverse("members:signup"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["email", "phone", "password1", "password2", "agree"]:
        assert f'name="{name}"' in html
    assert "Selanjutnya" in html


def test_full_signup_journey(client, signup):
    response = signup()
    assert response.status_code == 302 and response.url == reverse("members:otp_confirm")
    user = User.objects.get(email="siti@example.com")
    assert user.phone == "+6281234567890"
    page = client.get(reverse("members:otp_confirm")).content.decode()
    assert "siti@example.com" in page and "Spam" in page and "Kirim ulang" in page
    assert "Kode berlaku 10 menit" in page  # OTP_EMAIL_TOKEN_VALIDITY
    response = client.post(reverse("members:otp_confirm"), {"code": _code_from_mail()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("members:account")
    html = response.content.decode()
    assert "Pendaftaran berhasil namun belum terverifikasi" in html
    assert "Lengkapi Data" in html
    assert response.context["user"].is_authenticated
    assert Member.objects.get(user=user).status == Member.Status.BELUM_TERVERIFIKASI


@pytest.mark.parametrize("phone", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890"])
def test_phone_forms_are_normalised(signup, phone):
    signup(phone=phone)
    assert User.objects.get().phone == "+6281234567890"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "021 555 1234"}, "phone", "Nomor ponsel tidak valid"),
        ({"phone": "abc"}, "phone", "Nomor ponsel tidak valid"),
        ({"email": "bukan-email"}, "email", "email"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "angka"),
        ({"password2": "Lain-Sekali-99"}, "password2", "tidak sama"),
        ({"agree": ""}, "agree", "menyetujui"),
    ],
)
def test_bad_input_gets_a_clear_message_and_creates_nothing(signup, overrides, field, message):
    response = signup(**overrides)
    assert response.status_code == 400
    errors = " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert message.lower() in errors.lower()
    assert not User.objects.exists()
    assert not mail.outbox
    # What was typed (except passwords) is kept.
    assert response.context["form"].data["email"] == {**FORM, **overrides}["email"]


def test_wrong_code_message_and_void_after_five(client, signup):
    signup()
    code = EmailDevice.objects.get().token
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        response = client.post(reverse("members:otp_confirm"), {"code": wrong})
        assert response.status_code == 400
        assert "Kode OTP salah" in response.content.decode()
    response = client.post(reverse("members:otp_confirm"), {"code": wrong})
    assert "tidak berlaku lagi" in response.content.decode()
    response = client.post(reverse("members:otp_confirm"), {"code": code})
    assert "tidak berlaku lagi" in response.content.decode()
    assert not User.objects.get().is_active


def test_expired_code_message(client, signup):
    with freeze_time("2026-12-04 10:00:00"):
        signup()
        code = _code_from_mail()
    with freeze_time("2026-12-04 10:11:00"):
        response = client.post(reverse("members:otp_confirm"), {"code": code})
    assert "kedaluwarsa" in response.content.decode()


def test_resend_button_respects_cooldown(client, signup, django_capture_on_commit_callbacks):
    with freeze_time("2026-12-04 10:00:00"):
        signup()
        page = client.get(reverse("members:otp_confirm")).content.decode()
        assert 'data-cooldown="60"' in page
        response = client.post(reverse("members:otp_resend"), follow=True)
        assert "Tunggu" in response.content.decode()
    assert len(mail.outbox) == 1
    with freeze_time("2026-12-04 10:01:05"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:otp_resend"), follow=True)
    assert "Kode OTP baru sudah dikirim" in response.content.decode()
    assert len(mail.outbox) == 2


def test_correct_mistyped_email_before_confirming(client, signup, django_capture_on_commit_callbacks):
    signup(email="siti@gmial.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:signup_email_change"), {"email": "siti@gmail.com"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["siti@gmail.com"]
    client.post(reverse("members:otp_confirm"), {"code": _code_from_mail()})
    assert User.objects.get().email == "siti@gmail.com"
    assert User.objects.get().is_active


def test_existing_confirmed_address_looks_the_same(client, signup):
    UserFactory(email="siti@example.com")
    response = signup()
    assert response.status_code == 302 and response.url == reverse("members:otp_confirm")
    page = client.get(reverse("members:otp_confirm")).content.decode()
    assert "siti@example.com" in page
    assert "mencoba mendaftar" in mail.outbox[0].body
    response = client.post(reverse("members:otp_confirm"), {"code": "123456"})
    assert "Kode OTP salah" in response.content.decode()


def test_otp_page_without_pending_signup_redirects(client):
    response = client.get(reverse("members:otp_confirm"))
    assert response.status_code == 302 and response.url == reverse("members:signup")


def test_double_submit_of_correct_code_is_harmless(client, signup):
    signup()
    code = _code_from_mail()
    other = client.__class__()
    other.cookies = client.cookies  # the same session, as a second click would send
    first = client.post(reverse("members:otp_confirm"), {"code": code})
    second = other.post(reverse("members:otp_confirm"), {"code": code}, follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert Member.objects.count() == 1


def test_login_and_logout(client):
    UserFactory(email="budi@example.com")
    response = client.post(reverse("members:login"), {"email": "BUDI@example.com", "password": "Rahasia-Kuat-123"})
    assert response.status_code == 302 and response.url == reverse("members:account")
    response = client.post(reverse("members:logout"))
    assert response.status_code == 302
    assert client.get(reverse("members:account")).status_code == 302


def test_login_wrong_password_message(client):
    UserFactory(email="budi@example.com")
    response = client.post(reverse("members:login"), {"email": "budi@example.com", "password": "salah"})
    assert response.status_code == 400
    assert "Email atau kata sandi salah" in response.content.decode()


def test_login_throttled_after_five_failures_per_email(client):
    UserFactory(email="budi@example.com")
    with freeze_time("2026-12-04 10:00:00"):
        for _ in range(5):
            client.post(reverse("members:login"), {"email": "budi@example.com", "password": "salah"})
        response = client.post(reverse("members:login"), {"email": "budi@example.com", "password": "Rahasia-Kuat-123"})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.content.decode()
    with freeze_time("2026-12-04 10:16:00"):
        response = client.post(reverse("members:login"), {"email": "budi@example.com", "password": "Rahasia-Kuat-123"})
    assert response.status_code == 302


def test_login_with_unconfirmed_account_continues_to_otp(client, django_capture_on_commit_callbacks):
    UnconfirmedUserFactory(email="baru@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:login"), {"email": "baru@example.com", "password": "Rahasia-Kuat-123"})
    assert response.status_code == 302 and response.url == reverse("members:otp_confirm")
    assert mail.outbox and mail.outbox[-1].to == ["baru@example.com"]


def test_password_reset_by_email(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="budi@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:password_reset"), {"email": "budi@example.com"})
    assert response.status_code == 302
    link = re.search(r"http://\S+/atur-sandi/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("8000", 1)[-1] if "8000" in link else "/" + link.split("/", 3)[3]
    response = client.get(path, follow=True)
    url = response.redirect_chain[-1][0]
    response = client.post(url, {"new_password1": "Sandi-Baru-2026!", "new_password2": "Sandi-Baru-2026!"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Sandi-Baru-2026!")


def test_password_reset_unknown_email_says_the_same(client):
    response = client.post(reverse("members:password_reset"), {"email": "tidak-ada@example.com"})
    assert response.status_code == 302 and response.url == reverse("members:password_reset_done")
    assert not mail.outbox
