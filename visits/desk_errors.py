"""Domain errors of the desk (check-in, walk-ins, no-show blocks), with the messages staff and
visitors see. Check-in errors carry the reservation they are about, so the desk can show who it is."""

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jaklitera.errors import InvalidTransition

from .errors import GroupCheckinNotAllowed, GroupNotActive, VisitError


def _hhmm(value: datetime.datetime) -> str:
    return f"{timezone.localtime(value):%H.%M}"


def _session_time(session) -> str:
    return f"{_hhmm(session.starts_at)}–{_hhmm(session.ends_at)} WIB"


def _day(value: datetime.date) -> str:
    return date_format(value, "l, j F Y")


class DeskError(VisitError):
    default_message = gettext_lazy("Tidak dapat diproses.")


class CheckinError(DeskError):
    """A scan that did not check anyone in. ``outcome`` names the big result the desk shows;
    ``overridable`` errors may be overridden by staff (recorded). It is about a reservation or,
    for a group code, a ``group_visit`` (Rombongan)."""

    outcome = "error"
    overridable = False

    def __init__(self, message=None, *, reservation=None, group_visit=None):
        super().__init__(message)
        self.reservation = reservation
        self.group_visit = group_visit


def _subject_session(reservation, group_visit):
    return (reservation if reservation is not None else group_visit).session


class NotFound(CheckinError):
    outcome = "not_found"
    default_message = gettext_lazy("Kode tidak ditemukan. Periksa kode reservasi atau nomor anggota.")


class MemberHasNoReservation(CheckinError):
    outcome = "not_found"

    def __init__(self, *, member_number: str):
        super().__init__(
            _("Anggota %(number)s tidak memiliki reservasi hari ini. Daftarkan sebagai walk-in bila masih ada tempat.")
            % {"number": member_number}
        )


class ReservationCancelled(CheckinError):
    outcome = "cancelled"

    def __init__(self, *, reservation):
        reason = reservation.get_cancel_reason_display() or _("Dibatalkan")
        super().__init__(
            _("Reservasi ini sudah dibatalkan (%(reason)s).") % {"reason": reason}, reservation=reservation
        )


class WrongDay(CheckinError):
    outcome = "wrong_day"

    def __init__(self, *, reservation=None, group_visit=None):
        session = _subject_session(reservation, group_visit)
        if group_visit is not None:
            message = _("Salah hari: rombongan ini untuk %(day)s, %(time)s.")
        else:
            message = _("Salah hari: reservasi ini untuk %(day)s, %(time)s.")
        super().__init__(
            message % {"day": _day(session.date), "time": _session_time(session)},
            reservation=reservation,
            group_visit=group_visit,
        )


class AlreadyCheckedIn(CheckinError):
    outcome = "already"

    def __init__(self, *, reservation=None, group_visit=None):
        subject = reservation if reservation is not None else group_visit
        super().__init__(
            _("Sudah check-in pukul %(time)s WIB.") % {"time": _hhmm(subject.checked_in_at)},
            reservation=reservation,
            group_visit=group_visit,
        )


class WrongSession(CheckinError):
    outcome = "wrong_session"
    overridable = True

    def __init__(self, *, reservation=None, group_visit=None, opens_at):
        super().__init__(
            _("Salah sesi: reservasi ini untuk sesi %(time)s (check-in mulai %(opens)s WIB).")
            % {"time": _session_time(_subject_session(reservation, group_visit)), "opens": _hhmm(opens_at)},
            reservation=reservation,
            group_visit=group_visit,
        )


class TooEarly(CheckinError):
    outcome = "too_early"
    overridable = True

    def __init__(self, *, reservation=None, group_visit=None, opens_at):
        super().__init__(
            _("Belum waktunya: check-in sesi %(time)s dibuka pukul %(opens)s WIB.")
            % {"time": _session_time(_subject_session(reservation, group_visit)), "opens": _hhmm(opens_at)},
            reservation=reservation,
            group_visit=group_visit,
        )


class TooLate(CheckinError):
    outcome = "too_late"
    overridable = True

    def __init__(self, *, reservation=None, group_visit=None):
        session = _subject_session(reservation, group_visit)
        super().__init__(
            _("Terlambat: batas check-in sesi %(time)s pukul %(last)s WIB sudah lewat.")
            % {"time": _session_time(session), "last": _hhmm(session.last_checkin_at)},
            reservation=reservation,
            group_visit=group_visit,
        )


# --- Rombongan at the desk: the same outcomes, still the group errors the group service raised before.


class GroupWrongDay(WrongDay, GroupCheckinNotAllowed):
    def __init__(self, *, group_visit):
        super().__init__(group_visit=group_visit)


class GroupAlreadyCheckedIn(AlreadyCheckedIn, GroupNotActive):
    def __init__(self, *, group_visit):
        super().__init__(group_visit=group_visit)


class GroupCancelled(CheckinError, GroupNotActive):
    outcome = "cancelled"

    def __init__(self, *, group_visit):
        super().__init__(
            _("Rombongan ini tidak dapat check-in (%(status)s).") % {"status": group_visit.get_status_display()},
            group_visit=group_visit,
        )


class GroupPresentNeeded(CheckinError):
    """A group code was scanned: the desk asks how many of the group came (pre-filled with all).
    ``overridable`` when the check-in also needs a recorded override (outside the window)."""

    outcome = "group"

    def __init__(self, message=None, *, group_visit, overridable: bool = False):
        super().__init__(
            message or _("Rombongan: isi jumlah yang hadir, lalu tekan Check-in rombongan."), group_visit=group_visit
        )
        self.overridable = overridable


class NotCheckedIn(InvalidTransition):
    default_message = gettext_lazy("Reservasi ini belum check-in.")


class WalkinNotOpen(DeskError):
    def __init__(self, session=None):
        if session is None:
            message = _("Tidak ada sesi yang sedang membuka check-in. Walk-in hanya pada jam check-in sesi.")
        else:
            message = _("Walk-in untuk sesi %(time)s hanya dapat didaftarkan pada jam check-in sesi itu.") % {
                "time": _session_time(session)
            }
        super().__init__(message, field="session")


class VisitorNotFound(DeskError):
    default_message = gettext_lazy(
        "Akun tidak ditemukan. Periksa email, nomor ponsel atau nomor anggota, atau daftarkan sebagai tamu "
        "(nama dan nomor ponsel)."
    )


class WalkinAlreadyBooked(DeskError):
    def __init__(self, *, reservation):
        super().__init__(
            _("Pengunjung ini sudah memiliki reservasi %(code)s untuk sesi ini: lakukan check-in dengan kode itu.")
            % {"code": reservation.code_display}
        )
        self.reservation = reservation


def _block_dates(block) -> dict:
    return {
        "start": _day(block.starts_on),
        "until": _day(block.ends_on),
        "again": _day(block.bookable_from),
        "n": block.noshow_count,
    }


class BookingBlocked(VisitError):
    """Said to the visitor (booking form, Kunjungan Saya) and to staff at a walk-in."""

    def __init__(self, *, block):
        super().__init__(
            ngettext(
                "Anda tidak dapat memesan kunjungan dari %(start)s sampai dengan %(until)s karena %(n)d kali "
                "tidak hadir tanpa pembatalan. Pemesanan dapat dilakukan lagi mulai %(again)s.",
                "Anda tidak dapat memesan kunjungan dari %(start)s sampai dengan %(until)s karena %(n)d kali "
                "tidak hadir tanpa pembatalan. Pemesanan dapat dilakukan lagi mulai %(again)s.",
                block.noshow_count,
            )
            % _block_dates(block)
        )
        self.block = block


class VisitorBlocked(DeskError):
    def __init__(self, *, block):
        super().__init__(
            _(
                "Pengunjung ini diblokir sampai dengan %(until)s (%(n)d kali tidak hadir). "
                "Cabut blokir di halaman Blokir bila ada alasan yang sah."
            )
            % _block_dates(block)
        )
        self.block = block


class BlockNotActive(InvalidTransition):
    default_message = gettext_lazy("Blokir ini sudah dicabut atau sudah berakhir.")
