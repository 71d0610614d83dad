from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jaklitera.mail import email_queue

from ..validators import phone_normalize

format_html_lazy = lazy(format_html, str)


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Kode OTP akan dikirim ke alamat ini."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    phone = forms.CharField(
        label=_("Nomor ponsel"),
        max_length=20,
        help_text=_("Nomor ponsel Indonesia, mis. 0812 3456 7890."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        help_text=_("Minimal 8 karakter, tidak hanya angka, dan tidak mudah ditebak."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    agree = forms.BooleanField(
        label=format_html_lazy(
            _('Saya menyetujui <a href="{}">Ketentuan Layanan dan Pemberitahuan Privasi</a> Jaklitera.'),
            reverse_lazy("members:privacy"),
        ),
        error_messages={"required": _("Anda perlu menyetujui ketentuan layanan dan pemberitahuan privasi.")},
    )

    def clean_phone(self):
        return phone_normalize(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        if p1 and cleaned.get("email"):
            from ..models import User

            probe = User(email=cleaned["email"], phone=cleaned.get("phone", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("Kode OTP (6 angka)"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"[0-9 ]*",
                "class": "otp-input",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        digits = "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())
        if len(digits) != 6:
            raise forms.ValidationError(_("Kode OTP terdiri dari 6 angka."))
        return digits


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("Alamat email yang benar"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Kata sandi"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's form, but the email goes through the outbox and Celery; the
    reset link is made when the email is rendered, never stored."""

    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    def save(self, *args, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            email_queue(kind="password_reset", to=user.email, user=user)
