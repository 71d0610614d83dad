"""Domain errors of the visits app, with the messages visitors and staff see."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jaklitera.errors import ApplicationError, Busy, InvalidTransition


class VisitError(ApplicationError):
    default_message = _("Reservasi tidak dapat diproses.")


class QuotaFull(VisitError):
    default_message = _("Sesi ini sudah penuh")


class AlreadyBooked(VisitError):
    default_message = _("Anda sudah memesan sesi ini")


class TooManyActive(VisitError):
    def __init__(self, limit: int):
        super().__init__(ngettext("Batas %(n)d reservasi aktif", "Batas %(n)d reservasi aktif", limit) % {"n": limit})
        self.limit = limit


class BookingClosed(VisitError):
    default_message = _("Pemesanan sesi ini sudah ditutup")


class NotYetOpen(VisitError):
    default_message = _("Sesi ini belum dibuka untuk pemesanan")


class SessionNotFound(VisitError):
    default_message = _("Sesi tidak ditemukan.")


class EmailNotConfirmed(VisitError):
    default_message = _("Konfirmasi email Anda terlebih dahulu untuk memesan kunjungan.")


class NotAcknowledged(VisitError):
    default_message = _("Anda perlu menyetujui tata tertib dan protokol kesehatan.")


class TooManyChildren(VisitError):
    def __init__(self, limit: int):
        super().__init__(_("Paling banyak %(n)d anak pendamping.") % {"n": limit})


class InvalidChild(VisitError):
    default_message = _("Isi nama dan umur setiap anak pendamping (umur 0–17 tahun).")


class SameSession(VisitError):
    default_message = _("Pilih sesi lain untuk mengubah jadwal.")


class ReservationNotActive(InvalidTransition):
    default_message = _("Reservasi ini sudah dibatalkan.")


class SessionStarted(InvalidTransition):
    default_message = _("Kunjungan yang sudah dimulai tidak dapat dibatalkan atau diubah.")


class CapacityBelowTaken(VisitError):
    def __init__(self, taken: int):
        super().__init__(
            _("Kapasitas tidak boleh kurang dari %(n)d tempat yang sudah terisi.") % {"n": taken},
            field="capacity",
        )
        self.taken = taken


class InvalidCapacity(VisitError):
    default_message = _("Kapasitas harus 0 atau lebih.")


class VisitsBusy(Busy):
    default_message = _("Sedang ramai, silakan coba lagi")


# --- Rombongan (group visits) ---


class GroupError(VisitError):
    default_message = _("Permohonan rombongan tidak dapat diproses.")


class GroupQuotaFull(QuotaFull):
    """Not enough places for the whole group; ``alternatives`` are sessions that have them."""

    def __init__(self, *, places: int, alternatives=()):
        super().__init__(
            ngettext(
                "Sesi ini tidak memiliki %(n)d tempat kosong untuk rombongan Anda.",
                "Sesi ini tidak memiliki %(n)d tempat kosong untuk rombongan Anda.",
                places,
            )
            % {"n": places},
            field="session",
        )
        self.alternatives = list(alternatives)


class GroupSizeInvalid(GroupError):
    def __init__(self, low: int, high: int):
        super().__init__(
            _("Jumlah peserta rombongan %(low)d–%(high)d orang.") % {"low": low, "high": high}, field="participants"
        )


class GroupChildrenInvalid(GroupError):
    def __init__(self):
        super().__init__(_("Jumlah anak tidak boleh lebih dari jumlah peserta."), field="children")


class GroupSameSession(GroupError):
    def __init__(self):
        super().__init__(_("Pilih sesi alternatif yang berbeda dari sesi pilihan."), field="alternative_session")


class GroupNotPending(InvalidTransition):
    default_message = _("Permohonan ini sudah diputuskan atau tidak lagi menunggu persetujuan.")


class GroupNotActive(InvalidTransition):
    default_message = _("Rombongan ini tidak lagi aktif.")


class GroupDecisionLate(InvalidTransition):
    default_message = _("Batas waktu keputusan sudah lewat; permohonan ini akan kedaluwarsa.")


class GroupReasonRequired(GroupError):
    def __init__(self):
        super().__init__(_("Tuliskan alasan penolakan."), field="reason")


class GroupCancelTooLate(InvalidTransition):
    default_message = _("Rombongan dapat dibatalkan paling lambat sehari sebelum kunjungan.")


class GroupCheckinNotAllowed(InvalidTransition):
    default_message = _("Check-in rombongan hanya untuk rombongan yang disetujui, pada hari dan sesi kunjungannya.")


class GroupNotFound(GroupError):
    default_message = _("Kode rombongan tidak ditemukan.")


class GroupPresentInvalid(GroupError):
    def __init__(self, participants: int):
        super().__init__(
            _("Jumlah hadir 1–%(n)d orang.") % {"n": participants},
            field="present",
        )
