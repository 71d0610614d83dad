"""Daftar → OTP → confirmed. The pending signup lives in the session only."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from jaklitera.errors import ApplicationError
from jaklitera.ratelimit import client_ip

from ..forms.signup import EmailChangeForm, OtpForm, SignupForm
from ..services import signup as services

SESSION_KEY = "signup_pending"


def pending_get(request) -> services.SignupPending | None:
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    return services.SignupPending(email=data["email"], user_id=data["user_id"])


def pending_set(request, pending: services.SignupPending) -> None:
    request.session[SESSION_KEY] = {"email": pending.email, "user_id": pending.user_id}


class SignupView(View):
    template_name = "members/signup.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("members:account")
        return render(request, self.template_name, {"form": SignupForm()})

    def post(self, request):
        form = SignupForm(request.POST)
        if form.is_valid():
            try:
                pending = services.signup_start(
                    email=form.cleaned_data["email"],
                    phone=form.cleaned_data["phone"],
                    password=form.cleaned_data["password1"],
                    language=get_language() or settings.LANGUAGE_CODE,
                    ip=client_ip(request),
                )
            except ApplicationError as error:
                form.add_error(None, str(error))
            else:
                pending_set(request, pending)
                return redirect("members:otp_confirm")
        return render(request, self.template_name, {"form": form}, status=400 if form.errors else 200)


class _PendingMixin:
    """Views that need a signup in progress; without one, back to Daftar."""

    def dispatch(self, request, *args, **kwargs):
        self.pending = pending_get(request)
        if self.pending is None:
            if request.user.is_authenticated:
                return redirect("members:account")
            messages.info(request, _("Sesi pendaftaran Anda sudah berakhir. Silakan daftar atau masuk kembali."))
            return redirect("members:signup")
        return super().dispatch(request, *args, **kwargs)

    def render_otp(self, request, form, *, status=200):
        cooldown = services.otp_cooldown_remaining(user_id=self.pending.user_id)
        context = {
            "form": form,
            "email": self.pending.email,
            "cooldown": cooldown,
            "valid_minutes": settings.OTP_EMAIL_TOKEN_VALIDITY // 60,
        }
        return render(request, "members/otp_confirm.html", context, status=status)


class OtpConfirmView(_PendingMixin, View):
    def get(self, request):
        return self.render_otp(request, OtpForm())

    def post(self, request):
        form = OtpForm(request.POST)
        if not form.is_valid():
            return self.render_otp(request, form, status=400)
        try:
            user = services.signup_confirm(pending=self.pending, code=form.cleaned_data["code"])
        except services.AlreadyConfirmed as error:
            request.session.pop(SESSION_KEY, None)
            messages.info(request, str(error))
            return redirect("members:login")
        except ApplicationError as error:
            form.add_error("code", str(error))
            return self.render_otp(request, form, status=400)
        request.session.pop(SESSION_KEY, None)
        login(request, user, backend="members.auth.CachedModelBackend")
        messages.success(request, _("Pendaftaran berhasil namun belum terverifikasi."))
        return redirect("members:account")


class OtpResendView(_PendingMixin, View):
    def post(self, request):
        try:
            services.otp_resend(pending=self.pending, ip=client_ip(request))
        except services.AlreadyConfirmed as error:
            request.session.pop(SESSION_KEY, None)
            messages.info(request, str(error))
            return redirect("members:login")
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Kode OTP baru sudah dikirim ke %(email)s.") % {"email": self.pending.email})
        return redirect("members:otp_confirm")


class SignupEmailChangeView(_PendingMixin, View):
    template_name = "members/signup_email_change.html"

    def get(self, request):
        return render(request, self.template_name, {"form": EmailChangeForm(), "email": self.pending.email})

    def post(self, request):
        form = EmailChangeForm(request.POST)
        if form.is_valid():
            try:
                pending = services.signup_email_change(
                    pending=self.pending, new_email=form.cleaned_data["email"], ip=client_ip(request)
                )
            except services.OtpExpired:
                request.session.pop(SESSION_KEY, None)
                messages.info(request, _("Silakan isi formulir pendaftaran lagi dengan email yang benar."))
                return redirect("members:signup")
            except ApplicationError as error:
                form.add_error("email", str(error))
            else:
                pending_set(request, pending)
                messages.success(
                    request, _("Email diperbarui. Kode OTP dikirim ke %(email)s.") % {"email": pending.email}
                )
                return redirect("members:otp_confirm")
        return render(request, self.template_name, {"form": form, "email": self.pending.email}, status=400)
