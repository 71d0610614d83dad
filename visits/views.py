"""Thin views: the week's availability, booking, Kunjungan Saya, QR, JSON for on-site screens."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET

from jaklitera.errors import ApplicationError
from jaklitera.pagecache import render_shared

from . import selectors, services
from .desk_errors import BookingBlocked
from .errors import QuotaFull, SessionNotFound, VisitsBusy
from .forms import RescheduleForm, ReservationForm
from .models import Reservation, Session, VisitNotice
from .qr import qr_png, qr_svg
from .services.noshows import block_active


def _error_status(error: ApplicationError) -> int:
    # Busy is temporary (503 + Retry-After); a broken rule is a conflict with the current state.
    return 503 if isinstance(error, VisitsBusy) else 409


class AvailabilityView(View):
    """Jadwal Kunjungan: the next 7 days, places left, closed days (anyone may look)."""

    def get(self, request):
        # Cached shared data and day-list HTML, keyed by what it shows (docs/performance.md).
        week = selectors.availability_week_cached(user=request.user)
        context = {
            "days": week.days,
            "fragment_key": week.fragment_key,
            "cache_seconds": settings.VISITS_AVAILABILITY_CACHE_SECONDS,
            "window_days": settings.VISITS_BOOKING_WINDOW_DAYS,
        }
        # Shared with every visitor who booked the same sessions (jaklitera.pagecache).
        return render_shared(request, "visits/availability.html", context, key=(week.fragment_key,))


class ReservationCreateView(LoginRequiredMixin, View):
    template_name = "visits/reservation_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # A booking POST does not read the session here: the service reads it under its lock
        # and a successful booking only redirects (docs/performance.md).
        self.session = None if request.method == "POST" else self._session_or_404()
        return super().dispatch(request, *args, **kwargs)

    def _session_or_404(self) -> Session:
        session = selectors.session_get(session_id=self.kwargs["session_id"])
        if session is None:
            raise Http404
        return session

    def form_context(self, form, *, error=None) -> dict:
        state = self.session.state()
        unavailable = None
        if state == Session.State.FULL:
            unavailable = _("Sesi ini sudah penuh")
        elif state in (Session.State.BOOKING_CLOSED, Session.State.CLOSED):
            unavailable = _("Pemesanan sesi ini sudah ditutup")
        # A full or closed session is reason enough; the cheap "penuh" does not look up blocks.
        block = block_active(user=self.request.user) if unavailable is None else None
        if block is not None:
            unavailable = str(BookingBlocked(block=block))
        return {
            "form": form,
            "session": self.session,
            # Read only if the form is shown (not for "penuh" or a closed session).
            "notice": SimpleLazyObject(VisitNotice.current),
            # Said once: the refusal is already the reason the form is not shown.
            "error": None if error == unavailable else error,
            "unavailable": unavailable,
            "email_confirmed": bool(self.request.user.email_confirmed_at),
            "is_anggota": SimpleLazyObject(lambda: _is_anggota(self.request.user)),
            "max_children": settings.VISITS_MAX_CHILDREN,
        }

    def render_form(self, form, *, error=None, status=200):
        response = render(self.request, self.template_name, self.form_context(form, error=error), status=status)
        if status == 503:
            response["Retry-After"] = "3"
        return response

    def render_penuh(self, full: selectors.FullSession):
        """The same page for every late visitor of a rush, rendered once per process while
        the session is remembered as full (jaklitera.pagecache, docs/performance.md)."""
        self.session = full.session
        context = self.form_context(None, error=str(QuotaFull()))
        key = (full.version, context["email_confirmed"])
        return render_shared(self.request, self.template_name, context, key=key, status=409)

    def get(self, request, session_id):
        return self.render_form(ReservationForm())

    def post(self, request, session_id):
        # The cheap "penuh": no form, no transaction, no query beyond the visitor's own.
        full = selectors.session_full_for(session_id=session_id, user=request.user)
        if full is not None:
            return self.render_penuh(full)
        form = ReservationForm(request.POST)
        if not form.is_valid():
            self.session = self._session_or_404()
            return self.render_form(form, status=400)
        try:
            reservation = services.reservation_create(
                user=request.user,
                session_id=session_id,
                children=form.children(),
                acknowledged=form.cleaned_data["acknowledge"],
                token=form.cleaned_data["token"],
            )
        except SessionNotFound:
            raise Http404 from None
        except ApplicationError as error:
            # The session as it is now: the page shows the places left.
            if isinstance(error, QuotaFull):
                self.session = selectors.session_full_remember(session_id=session_id)
                if self.session is None:
                    raise Http404 from None
            else:
                self.session = self._session_or_404()
            return self.render_form(form, error=str(error), status=_error_status(error))
        messages.success(request, _("Reservasi berhasil. Simpan kode reservasi dan kode QR Anda."))
        return redirect("visits:reservation_detail", code=reservation.code)


def _is_anggota(user) -> bool:
    member = getattr(user, "member", None) if user.is_authenticated else None
    return bool(member and member.is_verified)


class MyVisitsView(LoginRequiredMixin, View):
    def get(self, request):
        context = selectors.reservations_for_user(user=request.user)
        # Too many no-shows: say so, with the dates, before they try to book (docs/operations.md#no-show).
        block = block_active(user=request.user)
        context["block_message"] = str(BookingBlocked(block=block)) if block else ""
        return render(request, "visits/my_visits.html", context)


class _OwnReservationMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.reservation = selectors.reservation_get_for_user(user=request.user, code=kwargs["code"])
        if self.reservation is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ReservationDetailView(_OwnReservationMixin, View):
    """The confirmation: code, QR, session, party, what the visitor may use."""

    def get(self, request, code):
        context = {
            "reservation": self.reservation,
            "can_change": services.reservation_can_change(reservation=self.reservation),
        }
        return render(request, "visits/reservation_detail.html", context)


class ReservationQrView(_OwnReservationMixin, View):
    def get(self, request, code, fmt):
        if fmt == "svg":
            response = HttpResponse(qr_svg(self.reservation.code), content_type="image/svg+xml")
        else:
            response = HttpResponse(qr_png(self.reservation.code), content_type="image/png")
        patch_cache_control(response, private=True, max_age=3600)
        return response


class ReservationCancelView(_OwnReservationMixin, View):
    template_name = "visits/reservation_cancel.html"

    def get(self, request, code):
        return render(request, self.template_name, {"reservation": self.reservation})

    def post(self, request, code):
        try:
            services.reservation_cancel(reservation_id=self.reservation.pk, user=request.user)
        except ApplicationError as error:
            status = _error_status(error)
            return render(
                request, self.template_name, {"reservation": self.reservation, "error": str(error)}, status=status
            )
        messages.success(
            request,
            _("Reservasi %(code)s dibatalkan. Tempat Anda sudah dikembalikan.")
            % {"code": self.reservation.code_display},
        )
        return redirect("visits:my_visits")


class ReservationRescheduleView(_OwnReservationMixin, View):
    template_name = "visits/reservation_reschedule.html"

    def render_page(self, *, error=None, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "reservation": self.reservation,
                "days": selectors.reschedule_choices(reservation=self.reservation),
                "error": error,
            },
            status=status,
        )

    def get(self, request, code):
        if not self.reservation.is_active:
            messages.info(request, _("Reservasi ini sudah dibatalkan."))
            return redirect("visits:my_visits")
        return self.render_page()

    def post(self, request, code):
        form = RescheduleForm(request.POST)
        if not form.is_valid():
            return self.render_page(error=_("Pilih sesi baru."), status=400)
        try:
            new = services.reservation_reschedule(
                reservation_id=self.reservation.pk, user=request.user, new_session_id=form.cleaned_data["session"]
            )
        except (ApplicationError, Reservation.DoesNotExist) as error:
            message = str(error) if isinstance(error, ApplicationError) else _("Reservasi tidak ditemukan.")
            status = _error_status(error) if isinstance(error, ApplicationError) else 404
            return self.render_page(error=message, status=status)
        messages.success(
            request,
            _("Jadwal kunjungan diubah. Kode reservasi baru Anda: %(code)s. Kode lama %(old)s tidak berlaku lagi.")
            % {"code": new.code_display, "old": self.reservation.code_display},
        )
        return redirect("visits:reservation_detail", code=new.code)


def _sessions_payload(day: datetime.date) -> dict:
    sessions = selectors.sessions_for_date(date=day)
    return {
        "date": day.isoformat(),
        "timezone": "Asia/Jakarta",
        "sessions": sessions,
        # People inside now (checked in for the sessions running now): ask with today's date.
        "inside_now": sum(s["inside"] for s in sessions),
    }


@require_GET
def sessions_api(request):
    """``GET /api/v1/sessions/?date=YYYY-MM-DD`` for the on-site screens. Read-only, cached a few seconds."""
    raw = request.GET.get("date", "")
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return JsonResponse({"error": "date must be YYYY-MM-DD"}, status=400)
    seconds = settings.VISITS_API_CACHE_SECONDS
    payload = cache.get_or_set(f"visits:api:sessions:{day.isoformat()}", lambda: _sessions_payload(day), seconds)
    response = JsonResponse(payload)
    patch_cache_control(response, public=True, max_age=seconds)
    return response
