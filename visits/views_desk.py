"""The desk (Daftar Kunjungan Hari Ini): thin views over visits.services.checkin / walkins /
noshows and visits.selectors_desk. Only active staff with ``visits.use_desk`` (the group
Petugas Layanan; superusers) may enter; see docs/operations.md."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from jaklitera.errors import ApplicationError
from jaklitera.private_files import private_file_response
from jaklitera.roles import staff_has_perms
from members.services.documents import document_access_log

from . import selectors_desk as selectors
from .desk_errors import CheckinError
from .exports import desk_csv
from .forms_desk import BlockLiftForm, CheckinForm, DayFilterForm, UndoForm, WalkinForm
from .models import GroupVisit, Reservation, Session, VisitBlock
from .services.checkin import checkin_scan, checkin_undo, sessions_checking_in
from .services.noshows import block_lift
from .services.walkins import visitor_lookup, walkin_register
from .templatetags.visits_tags import session_time

RESULT_KEY = "desk_result"


class DeskAccessMixin(AccessMixin):
    """Signed in, active staff, holding ``permission`` (superusers hold every permission)."""

    permission = "visits.use_desk"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if not staff_has_perms(user, "visits.use_desk", self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _back(request, fallback: str | None = None) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback or reverse("visits:desk")


def _result_store(
    request, *, outcome: str, message: str, reservation=None, group_visit=None, overridable: bool = False
) -> None:
    subject = reservation if reservation is not None else group_visit
    request.session[RESULT_KEY] = {
        "outcome": outcome,
        "message": message,
        "reservation_id": reservation.pk if reservation is not None else None,
        "group_visit_id": group_visit.pk if group_visit is not None else None,
        "code": (subject.code or "") if subject is not None else "",
        "overridable": overridable,
    }


def _result_load(request) -> dict | None:
    result = request.session.pop(RESULT_KEY, None)
    if not result:
        return None
    if result.get("group_visit_id"):
        result["group"] = selectors.group_for_desk(group_visit_id=result["group_visit_id"])
    if result.get("reservation_id"):
        result["row"] = selectors.reservation_for_desk(reservation_id=result["reservation_id"])
        row = result["row"]
        user_id = row.reservation.user_id if row else None
        result["has_photo"] = bool(
            user_id
            and request.user.has_perm("visits.view_visitor_photo")
            and selectors.visitor_has_photo(user_id=user_id)
        )
    return result


class DeskDayView(DeskAccessMixin, View):
    """Daftar Kunjungan Hari Ini: sessions with counts, check-in, the reservations, people inside."""

    def get(self, request):
        filters = DayFilterForm(request.GET)
        values = filters.values()
        day = values["day"]
        now = timezone.now()
        session_id = values["session"]
        if session_id is None:
            session_id = selectors.default_session_id(day=day, now=now)
        elif session_id == "semua":
            session_id = None
        desk = selectors.desk_day(day=day, session_id=session_id, status=values["status"], query=values["q"], now=now)
        return render(
            request,
            "visits/staff/day.html",
            {
                "desk": desk,
                "filters": filters,
                "values": values,
                "is_today": day == timezone.localdate(now),
                "checkin_form": CheckinForm(initial={"next": request.get_full_path()}),
                "result": _result_load(request),
                "here": request.get_full_path(),
                "export_query": _export_query(day, desk.selected),
            },
        )


def _export_query(day: datetime.date, session: Session | None) -> str:
    query = f"tanggal={day:%Y-%m-%d}"
    return query + (f"&sesi={session.pk}" if session is not None else "")


class CheckinView(DeskAccessMixin, View):
    """POST a scanned/typed code (or member number); the result is shown on the day list."""

    def post(self, request):
        form = CheckinForm(request.POST)
        if not form.is_valid():
            _result_store(request, outcome="not_found", message=_("Pindai atau ketik kode terlebih dahulu."))
            return redirect(_back(request))
        try:
            checked_in = checkin_scan(
                staff=request.user,
                text=form.cleaned_data["code"],
                override=form.cleaned_data["override"],
                note=form.cleaned_data["note"],
                present=form.cleaned_data["present"],
            )
        except CheckinError as error:
            _result_store(
                request,
                outcome=error.outcome,
                message=str(error),
                reservation=error.reservation,
                group_visit=error.group_visit,
                overridable=error.overridable,
            )
        except ApplicationError as error:
            _result_store(request, outcome="error", message=str(error))
        else:
            if isinstance(checked_in, GroupVisit):
                released = checked_in.participants - checked_in.present
                message = _("Check-in rombongan berhasil: %(n)d orang hadir.") % {"n": checked_in.present}
                if released:
                    message += " " + _("%(n)d tempat dikembalikan untuk walk-in.") % {"n": released}
                _result_store(request, outcome="ok", message=message, group_visit=checked_in)
            else:
                _result_store(
                    request,
                    outcome="ok",
                    message=_("Check-in berhasil: %(n)d orang.") % {"n": checked_in.party_size},
                    reservation=checked_in,
                )
        return redirect(_back(request))


class CheckinUndoView(DeskAccessMixin, View):
    def post(self, request):
        form = UndoForm(request.POST)
        if not form.is_valid():
            raise Http404
        try:
            reservation = checkin_undo(
                staff=request.user, reservation_id=form.cleaned_data["reservation"], note=form.cleaned_data["note"]
            )
        except Reservation.DoesNotExist:
            raise Http404 from None
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            if reservation.is_walk_in:
                text = _("Walk-in %(code)s dibatalkan; tempatnya dikembalikan.")
            else:
                text = _("Check-in %(code)s dibatalkan.")
            messages.success(request, text % {"code": reservation.code_display})
        return redirect(_back(request))


def _walkin_sessions(now) -> list[tuple[Session, str]]:
    return [
        (s, _("%(time)s · sisa %(n)d tempat") % {"time": session_time(s), "n": s.places_left})
        for s in sessions_checking_in(now=now)
    ]


class WalkinView(DeskAccessMixin, View):
    template_name = "visits/staff/walkin.html"

    def render_form(self, form, *, sessions, error=None, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "sessions": sessions, "error": error, "back": reverse("visits:desk")},
            status=status,
        )

    def get(self, request):
        sessions = _walkin_sessions(timezone.now())
        initial = {"session": request.GET.get("sesi") or (sessions[0][0].pk if sessions else None), "children": 0}
        return self.render_form(WalkinForm(initial=initial, sessions=sessions), sessions=sessions)

    def post(self, request):
        sessions = _walkin_sessions(timezone.now())
        form = WalkinForm(request.POST, sessions=sessions)
        if not form.is_valid():
            return self.render_form(form, sessions=sessions, status=400)
        data = form.cleaned_data
        user = None
        if data["account"].strip():
            user = visitor_lookup(text=data["account"])
            if user is None:
                form.add_error("account", _("Akun tidak ditemukan. Periksa lagi, atau daftarkan sebagai tamu."))
                return self.render_form(form, sessions=sessions, status=400)
        try:
            reservation = walkin_register(
                staff=request.user,
                session_id=data["session"],
                user=user,
                guest_name=data["guest_name"],
                guest_phone=data["guest_phone"],
                children=data["children"],
            )
        except ApplicationError as error:
            return self.render_form(form, sessions=sessions, error=str(error), status=409)
        _result_store(
            request,
            outcome="ok",
            message=_("Walk-in terdaftar dan sudah check-in: %(n)d orang.") % {"n": reservation.party_size},
            reservation=reservation,
        )
        return redirect(f"{reverse('visits:desk')}?sesi={reservation.session_id}")


def _export_rows(request):
    filters = DayFilterForm(request.GET)
    values = filters.values()
    session_id = values["session"] if isinstance(values["session"], int) else None
    rows = selectors.rows_for_desk(
        day=values["day"], session_id=session_id, status=values["status"] or "ALL", query=values["q"]
    )
    return values["day"], session_id, rows


class ExportCsvView(DeskAccessMixin, View):
    def get(self, request):
        day, session_id, rows = _export_rows(request)
        response = HttpResponse(desk_csv(rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
        suffix = f"-sesi-{session_id}" if session_id else ""
        response["Content-Disposition"] = f'attachment; filename="kunjungan-{day:%Y-%m-%d}{suffix}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response


class PrintView(DeskAccessMixin, View):
    def get(self, request):
        day, session_id, rows = _export_rows(request)
        sessions = selectors.session_summaries(day=day)
        if session_id:
            sessions = [s for s in sessions if s.session.pk == session_id]
        groups = [(summary, [r for r in rows if r.session.pk == summary.session.pk]) for summary in sessions]
        response = render(
            request, "visits/staff/print.html", {"day": day, "groups": groups, "printed_at": timezone.now()}
        )
        response["Cache-Control"] = "private, no-store"
        return response


class VisitorPhotoView(DeskAccessMixin, View):
    """The member's close-up PHOTO for today's reservation ``code``; nothing else. Logged."""

    permission = "visits.view_visitor_photo"

    def get(self, request, code):
        document = selectors.visitor_photo(code=code, today=timezone.localdate())
        if document is None:
            raise Http404
        response = private_file_response(
            field_file=document.file, content_type=document.content_type, filename=f"foto{document.extension}"
        )
        document_access_log(document=document, viewer=request.user)
        return response


class BlockListView(DeskAccessMixin, View):
    permission = "visits.view_visitblock"

    def get(self, request):
        query = request.GET.get("q", "")[:100]
        blocks = selectors.blocks_active(today=timezone.localdate(), query=query)
        return render(request, "visits/staff/blocks.html", {"blocks": blocks, "q": query, "form": BlockLiftForm()})


class BlockLiftView(DeskAccessMixin, View):
    permission = "visits.change_visitblock"

    def post(self, request, block_id):
        form = BlockLiftForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Tuliskan alasan mencabut blokir."))
            return redirect("visits:desk_blocks")
        try:
            block_lift(block_id=block_id, staff=request.user, reason=form.cleaned_data["reason"])
        except VisitBlock.DoesNotExist:
            raise Http404 from None
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Blokir dicabut. Pengunjung dapat memesan lagi."))
        return redirect("visits:desk_blocks")
