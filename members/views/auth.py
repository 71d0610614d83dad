"""Login (throttled), logout and password reset by email."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django_ratelimit.decorators import ratelimit

from jaklitera.errors import ApplicationError
from jaklitera.ratelimit import client_ip, rate_exhausted, rate_hit, rate_window_seconds

from ..forms.signup import LoginForm, PasswordResetForm
from ..models import User
from ..services import signup as signup_services
from .signup import pending_set


class LoginView(View):
    template_name = "members/login.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("members:account")
        return render(request, self.template_name, {"form": LoginForm(), "next": request.GET.get("next", "")})

    def post(self, request):
        form = LoginForm(request.POST)
        next_url = request.POST.get("next", "")
        context = {"form": form, "next": next_url}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        email = User.objects.normalize_email(form.cleaned_data["email"])
        ip = client_ip(request)
        if rate_exhausted(group="login-email", key=email, rate=settings.LOGIN_RATE_PER_EMAIL) or rate_hit(
            group="login-ip", key=ip or "-", rate=settings.LOGIN_RATE_PER_IP
        ):
            form.add_error(None, _login_throttled_message())
            return render(request, self.template_name, context, status=429)
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        if user is None:
            return self._failed(request, form, context, email=email, password=form.cleaned_data["password"], ip=ip)
        login(request, user)
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect(settings.LOGIN_REDIRECT_URL)

    def _failed(self, request, form, context, *, email, password, ip):
        rate_hit(group="login-email", key=email, rate=settings.LOGIN_RATE_PER_EMAIL)
        unconfirmed = User.objects.filter(email=email, email_confirmed_at__isnull=True).first()
        if unconfirmed is not None and unconfirmed.check_password(password):
            # The right password on a signup never confirmed: carry on with the OTP step.
            pending = signup_services.SignupPending(email=email, user_id=unconfirmed.pk)
            try:
                signup_services.otp_resend(pending=pending, ip=ip)
            except signup_services.OtpCooldown:
                pass
            except ApplicationError as error:
                messages.error(request, str(error))
            pending_set(request, pending)
            messages.info(request, _("Email Anda belum dikonfirmasi. Masukkan kode OTP yang kami kirim."))
            return redirect("members:otp_confirm")
        form.add_error(None, _("Email atau kata sandi salah."))
        return render(request, self.template_name, context, status=400)


class LogoutView(auth_views.LogoutView):
    pass


@method_decorator(ratelimit(key="ip", rate="10/h", method="POST", block=True), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "members/password_reset_form.html"
    success_url = reverse_lazy("members:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "members/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "members/password_reset_confirm.html"
    success_url = reverse_lazy("members:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "members/password_reset_complete.html"


def _login_throttled_message() -> str:
    # The wait is the longer of the two windows (LOGIN_RATE_PER_EMAIL, LOGIN_RATE_PER_IP).
    window = max(rate_window_seconds(settings.LOGIN_RATE_PER_EMAIL), rate_window_seconds(settings.LOGIN_RATE_PER_IP))
    minutes = -(-window // 60)
    return ngettext(
        "Terlalu banyak percobaan masuk. Silakan coba lagi dalam %(n)d menit.",
        "Terlalu banyak percobaan masuk. Silakan coba lagi dalam %(n)d menit.",
        minutes,
    ) % {"n": minutes}
