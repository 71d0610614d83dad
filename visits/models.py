"""Schedule, sessions and reservations. The quota rule lives in the database:
``Session.booked`` never exceeds ``Session.capacity`` (CHECK), and it is moved only
by the conditional UPDATEs in ``visits/services/quota.py`` (see docs/quota.md)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_CAPACITY = 300


def default_opens_at() -> datetime.time:
    return datetime.time(9, 0)


def default_closes_at() -> datetime.time:
    return datetime.time(17, 0)


class WeekdaySchedule(models.Model):
    """Opening hours of one weekday; its ``slots`` are the sessions the day is split into."""

    class Weekday(models.IntegerChoices):
        SENIN = 0, _("Senin")
        SELASA = 1, _("Selasa")
        RABU = 2, _("Rabu")
        KAMIS = 3, _("Kamis")
        JUMAT = 4, _("Jumat")
        SABTU = 5, _("Sabtu")
        MINGGU = 6, _("Minggu")

    weekday = models.PositiveSmallIntegerField(_("hari"), choices=Weekday.choices, unique=True)
    is_open = models.BooleanField(_("buka"), default=True)
    # Callables, not time literals: Django's W161 check flags a fixed time that happens to be
    # within seconds of "now" (so `check --deploy` failed at 09.00 and 17.00 sharp).
    opens_at = models.TimeField(_("jam buka"), default=default_opens_at)
    closes_at = models.TimeField(_("jam tutup"), default=default_closes_at)

    class Meta:
        verbose_name = _("jadwal harian")
        verbose_name_plural = _("jadwal harian")
        ordering = ["weekday"]
        constraints = [
            models.CheckConstraint(condition=Q(opens_at__lt=F("closes_at")), name="visits_weekday_opens_before_closes"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="visits_weekday_valid"),
        ]

    def __str__(self) -> str:
        return str(self.get_weekday_display())


class SessionSlot(models.Model):
    """A session of a weekday: start, end, last check-in and capacity (the template of a Session)."""

    schedule = models.ForeignKey(WeekdaySchedule, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.TimeField(_("mulai"))
    ends_at = models.TimeField(_("selesai"))
    last_checkin_at = models.TimeField(
        _("batas check-in"), help_text=_("Setelah jam ini sesi tidak dapat dipesan dan check-in ditutup.")
    )
    capacity = models.PositiveIntegerField(_("kapasitas"), default=DEFAULT_CAPACITY)

    class Meta:
        verbose_name = _("sesi harian")
        verbose_name_plural = _("sesi harian")
        ordering = ["schedule__weekday", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "starts_at"], name="visits_slot_unique_start"),
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="visits_slot_starts_before_ends"),
            models.CheckConstraint(
                condition=Q(last_checkin_at__gte=F("starts_at"), last_checkin_at__lte=F("ends_at")),
                name="visits_slot_checkin_within",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.starts_at:%H.%M}–{self.ends_at:%H.%M}"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            errors["ends_at"] = _("Jam selesai harus setelah jam mulai.")
        times = self.last_checkin_at and self.starts_at and self.ends_at
        if times and not (self.starts_at <= self.last_checkin_at <= self.ends_at):
            errors["last_checkin_at"] = _("Batas check-in harus di antara jam mulai dan jam selesai.")
        schedule = getattr(self, "schedule", None)
        if schedule and times and (self.starts_at < schedule.opens_at or self.ends_at > schedule.closes_at):
            errors["starts_at"] = _("Sesi harus berada di dalam jam buka.")
        if errors:
            raise ValidationError(errors)


class Closure(models.Model):
    """A date the library is closed (national holiday, cuti bersama, special closure)."""

    date = models.DateField(_("tanggal"), unique=True)
    reason = models.CharField(_("alasan"), max_length=200, help_text=_("Ditampilkan kepada pengunjung."))

    class Meta:
        verbose_name = _("hari tutup")
        verbose_name_plural = _("hari tutup")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} · {self.reason}"


class VisitNotice(models.Model):
    """House rules and health protocol a visitor acknowledges when booking (one row, edited by staff)."""

    house_rules = models.TextField(_("tata tertib"))
    health_protocol = models.TextField(_("protokol kesehatan"))
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("tata tertib & protokol kesehatan")
        verbose_name_plural = _("tata tertib & protokol kesehatan")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "VisitNotice":
        return cls.objects.order_by("pk").first() or cls(house_rules="", health_protocol="")


class Session(models.Model):
    """One bookable session on one date. ``booked`` counts people holding a place."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Dibuka")
        CLOSED = "CLOSED", _("Ditutup")

    class State(models.TextChoices):
        """What a visitor can do with the session now (derived, not stored)."""

        OPEN = "open", _("Tersedia")
        FULL = "full", _("Penuh")
        BOOKING_CLOSED = "booking_closed", _("Pemesanan ditutup")
        CLOSED = "closed", _("Ditutup")

    date = models.DateField(_("tanggal"), db_index=True)
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    last_checkin_at = models.DateTimeField(_("batas check-in"))
    capacity = models.PositiveIntegerField(_("kapasitas"), default=DEFAULT_CAPACITY)
    booked = models.PositiveIntegerField(_("terisi"), default=0, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_reason = models.CharField(_("alasan ditutup"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sesi kunjungan")
        verbose_name_plural = _("sesi kunjungan")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["starts_at"], name="visits_session_unique_start"),
            # The quota: see docs/quota.md.
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="visits_session_booked_within_capacity"
            ),
            models.CheckConstraint(condition=Q(booked__gte=0), name="visits_session_booked_not_negative"),
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="visits_session_starts_before_ends"),
            models.CheckConstraint(condition=Q(status__in=["OPEN", "CLOSED"]), name="visits_session_status_valid"),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%Y-%m-%d %H.%M}–{end:%H.%M} WIB"

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.booked)

    def state(self, now: datetime.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.status == self.Status.CLOSED:
            return self.State.CLOSED
        if now >= self.last_checkin_at:
            return self.State.BOOKING_CLOSED
        if self.places_left <= 0:
            return self.State.FULL
        return self.State.OPEN


class Reservation(models.Model):
    """A confirmed place for a visitor and the children who come along."""

    class Category(models.TextChoices):
        ANGGOTA = "ANGGOTA", _("Anggota")
        NON_ANGGOTA = "NON_ANGGOTA", _("Non Anggota")

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", _("Aktif")
        CANCELLED = "CANCELLED", _("Dibatalkan")

    class CancelReason(models.TextChoices):
        VISITOR = "VISITOR", _("Dibatalkan pengunjung")
        RESCHEDULED = "RESCHEDULED", _("Dipindah ke sesi lain")
        SESSION_CLOSED = "SESSION_CLOSED", _("Sesi ditutup perpustakaan")
        STAFF = "STAFF", _("Dibatalkan petugas")

    class Attendance(models.TextChoices):
        """What happened at the door (docs/operations.md); separate from ``status`` so the quota
        rule stays "ACTIVE holds places"."""

        EXPECTED = "EXPECTED", _("Belum datang")
        CHECKED_IN = "CHECKED_IN", _("Sudah check-in")
        NO_SHOW = "NO_SHOW", _("Tidak hadir")

    code = models.CharField(_("kode reservasi"), max_length=12, unique=True)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="reservations")
    # PROTECT: a person's active place must be cancelled through the service (which returns it).
    # Empty only for a walk-in without an account (guest_name/guest_phone instead).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="reservations"
    )
    category = models.CharField(_("kategori"), max_length=12, choices=Category.choices)
    party_size = models.PositiveSmallIntegerField(_("jumlah orang"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    cancel_reason = models.CharField(_("alasan pembatalan"), max_length=16, choices=CancelReason.choices, blank=True)
    request_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_to"
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("pengingat dikirim"), null=True, blank=True)
    # The desk (visits/services/checkin.py, walkins.py, noshows.py).
    attendance = models.CharField(
        _("kehadiran"), max_length=10, choices=Attendance.choices, default=Attendance.EXPECTED
    )
    checked_in_at = models.DateTimeField(_("waktu check-in"), null=True, blank=True)
    is_walk_in = models.BooleanField(_("walk-in"), default=False)
    guest_name = models.CharField(_("nama tamu"), max_length=150, blank=True)
    guest_phone = models.CharField(_("ponsel tamu"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("reservasi")
        verbose_name_plural = _("reservasi")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "session"],
                condition=Q(status="ACTIVE"),
                name="visits_reservation_one_active_per_session",
            ),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="visits_reservation_party_positive"),
            models.CheckConstraint(condition=Q(status__in=["ACTIVE", "CANCELLED"]), name="visits_reservation_status"),
            models.CheckConstraint(
                condition=Q(attendance__in=["EXPECTED", "CHECKED_IN", "NO_SHOW"]), name="visits_reservation_attendance"
            ),
            # Checked in ⇔ a check-in time: an undo clears both.
            models.CheckConstraint(
                condition=Q(attendance="CHECKED_IN", checked_in_at__isnull=False)
                | (~Q(attendance="CHECKED_IN") & Q(checked_in_at__isnull=True)),
                name="visits_reservation_checked_in_time",
            ),
            # Only a walk-in may have no account, and then it has a name.
            models.CheckConstraint(
                condition=Q(user__isnull=False) | (Q(is_walk_in=True) & ~Q(guest_name="")),
                name="visits_reservation_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="visits_res_user_status"),
            models.Index(fields=["session", "status"], name="visits_res_session_status"),
            # The no-show job looks only at places still expected.
            models.Index(
                fields=["session"], condition=Q(status="ACTIVE", attendance="EXPECTED"), name="visits_res_expected"
            ),
        ]
        permissions = [
            ("use_desk", _("Dapat memakai meja layanan: daftar kunjungan, check-in, walk-in, ekspor")),
            ("view_visitor_photo", _("Dapat melihat foto anggota saat check-in")),
        ]

    def __str__(self) -> str:
        return self.code_display

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_checked_in(self) -> bool:
        return self.attendance == self.Attendance.CHECKED_IN

    @property
    def children_count(self) -> int:
        # Individual bookings are one visitor + children; a future group category would not be.
        if self.category in (self.Category.ANGGOTA, self.Category.NON_ANGGOTA):
            return self.party_size - 1
        return 0


class VisitBlock(models.Model):
    """A visitor who missed too many visits may not book for a while (docs/operations.md#no-show).

    Blocked from ``starts_on`` to ``ends_on`` inclusive, unless staff lifted it (recorded).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_blocks")
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("sampai dengan"))
    noshow_count = models.PositiveSmallIntegerField(_("jumlah tidak hadir"))
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    lifted_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.CharField(_("alasan dicabut"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("blokir pemesanan")
        verbose_name_plural = _("blokir pemesanan")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="visits_block_ends_after_start")
        ]
        indexes = [models.Index(fields=["user", "ends_on"], name="visits_block_user_ends")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.lifted_at is None and self.starts_on <= day <= self.ends_on

    @property
    def bookable_from(self) -> datetime.date:
        return self.ends_on + datetime.timedelta(days=1)


class DeskEvent(models.Model):
    """The desk's log: who checked in, overrode a rule, undid, registered a walk-in, lifted a block."""

    class Action(models.TextChoices):
        CHECK_IN = "CHECK_IN", _("Check-in")
        OVERRIDE = "OVERRIDE", _("Check-in dengan pengecualian")
        UNDO = "UNDO", _("Check-in dibatalkan")
        WALK_IN = "WALK_IN", _("Walk-in")
        BLOCK_LIFTED = "BLOCK_LIFTED", _("Blokir dicabut")

    action = models.CharField(_("tindakan"), max_length=12, choices=Action.choices)
    reservation = models.ForeignKey(
        Reservation, null=True, blank=True, on_delete=models.SET_NULL, related_name="desk_events"
    )
    # A Rombongan checked in at the desk (visits.services.groups.group_checkin).
    group_visit = models.ForeignKey(
        "GroupVisit", null=True, blank=True, on_delete=models.SET_NULL, related_name="desk_events"
    )
    block = models.ForeignKey(VisitBlock, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)

    class Meta:
        verbose_name = _("log meja layanan")
        verbose_name_plural = _("log meja layanan")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class ReservationChild(models.Model):
    """An accompanying child (Non Anggota Anak); counts as one person against the quota."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(_("nama anak"), max_length=100)
    age = models.PositiveSmallIntegerField(_("umur"))

    class Meta:
        verbose_name = _("anak pendamping")
        verbose_name_plural = _("anak pendamping")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(age__lte=17), name="visits_child_age_under_18")]

    def __str__(self) -> str:
        return f"{self.name} ({self.age})"


# --- Rombongan: group visits (issue 6, docs/operations.md#rombongan) -------------------------


def group_letter_path(instance, filename):
    # Random names, as for member documents: nothing about the group or the uploaded name on disk.
    import uuid

    return f"group-letters/{uuid.uuid4().hex}{instance.letter_extension}"


def _private_storage():
    from jaklitera.storage import get_private_storage

    return get_private_storage()


class GroupVisit(models.Model):
    """A group's visit request ("Rombongan"). While PENDING or APPROVED its ``places_held`` are
    taken from the session's quota (the same counter as reservations: docs/quota.md)."""

    class InstitutionType(models.TextChoices):
        SCHOOL = "SCHOOL", _("Sekolah")
        UNIVERSITY = "UNIVERSITY", _("Perguruan tinggi")
        COMMUNITY = "COMMUNITY", _("Komunitas")
        COMPANY = "COMPANY", _("Perusahaan")
        GOVERNMENT = "GOVERNMENT", _("Instansi pemerintah")

    class AgeGroup(models.TextChoices):
        EARLY = "EARLY", _("PAUD/TK (di bawah 7 tahun)")
        PRIMARY = "PRIMARY", _("SD (7–12 tahun)")
        SECONDARY = "SECONDARY", _("SMP/SMA/SMK (13–18 tahun)")
        ADULT = "ADULT", _("Dewasa (di atas 18 tahun)")
        MIXED = "MIXED", _("Campuran")

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Menunggu persetujuan")
        APPROVED = "APPROVED", _("Disetujui")
        REJECTED = "REJECTED", _("Ditolak")
        EXPIRED = "EXPIRED", _("Kedaluwarsa")
        CANCELLED = "CANCELLED", _("Dibatalkan")
        CHECKED_IN = "CHECKED_IN", _("Sudah check-in")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_visits", verbose_name=_("pemohon")
    )
    institution_name = models.CharField(_("nama instansi"), max_length=150)
    institution_type = models.CharField(_("jenis instansi"), max_length=12, choices=InstitutionType.choices)
    contact_name = models.CharField(_("penanggung jawab"), max_length=100)
    contact_phone = models.CharField(_("ponsel penanggung jawab"), max_length=20)
    participants = models.PositiveSmallIntegerField(_("jumlah peserta"))
    children = models.PositiveSmallIntegerField(_("jumlah anak"), default=0)
    age_group = models.CharField(_("kelompok usia"), max_length=10, choices=AgeGroup.choices)
    purpose = models.TextField(_("tujuan kunjungan"), max_length=1000)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="group_visits", verbose_name=_("sesi"))
    alternative_session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("sesi alternatif")
    )
    letter = models.FileField(
        _("surat permohonan"), storage=_private_storage, upload_to=group_letter_path, max_length=200
    )
    letter_content_type = models.CharField(max_length=40)
    letter_size = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Places this request holds in ``session`` now: participants while pending/approved, the
    # people present after check-in, 0 once released. quota_check adds these to reservations.
    places_held = models.PositiveSmallIntegerField(_("tempat ditahan"), default=0)
    present = models.PositiveSmallIntegerField(_("jumlah hadir"), null=True, blank=True)
    code = models.CharField(_("kode rombongan"), max_length=12, unique=True, null=True, blank=True)
    request_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("diajukan"), default=timezone.now)
    decide_by = models.DateTimeField(_("batas keputusan"))
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    reject_reason = models.TextField(_("alasan penolakan"), blank=True)
    checked_in_at = models.DateTimeField(_("waktu check-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("rombongan")
        verbose_name_plural = _("rombongan")
        ordering = ["session__starts_at", "pk"]
        permissions = [
            ("decide_groupvisit", _("Dapat menyetujui, menolak atau memindah permohonan rombongan")),
            ("view_group_letter", _("Dapat melihat surat permohonan rombongan")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["PENDING", "APPROVED", "REJECTED", "EXPIRED", "CANCELLED", "CHECKED_IN"]),
                name="visits_group_status_valid",
            ),
            models.CheckConstraint(condition=Q(participants__gte=1), name="visits_group_participants_positive"),
            models.CheckConstraint(condition=Q(children__lte=F("participants")), name="visits_group_children_within"),
            models.CheckConstraint(condition=Q(places_held__lte=F("participants")), name="visits_group_held_within"),
            # Released means released: a closed request holds nothing.
            models.CheckConstraint(
                condition=Q(status__in=["PENDING", "APPROVED", "CHECKED_IN"]) | Q(places_held=0),
                name="visits_group_closed_holds_nothing",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "decide_by"], name="visits_group_status_deadline"),
            models.Index(fields=["session", "status"], name="visits_group_session_status"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_name} ({self.participants})"

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}" if self.code else ""

    @property
    def is_confirmed(self) -> bool:
        """Approved (or already checked in): its code, QR and confirmation letter are valid."""
        return bool(self.code) and self.status in (self.Status.APPROVED, self.Status.CHECKED_IN)

    @property
    def letter_extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}.get(
            self.letter_content_type, ".bin"
        )

    @property
    def holds_places(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.APPROVED, self.Status.CHECKED_IN)


class GroupVisitEvent(models.Model):
    """What happened to a group request, by whom and when (decisions, moves, expiry, cancel,
    check-in). Written once, never changed or deleted."""

    class Action(models.TextChoices):
        SUBMITTED = "SUBMITTED", _("Diajukan")
        APPROVED = "APPROVED", _("Disetujui")
        REJECTED = "REJECTED", _("Ditolak")
        MOVED = "MOVED", _("Dipindah ke sesi lain")
        EXPIRED = "EXPIRED", _("Kedaluwarsa")
        CANCELLED = "CANCELLED", _("Dibatalkan pemohon")
        CLOSED = "CLOSED", _("Sesi ditutup perpustakaan")
        CHECKED_IN = "CHECKED_IN", _("Check-in")

    group_visit = models.ForeignKey(
        GroupVisit, on_delete=models.PROTECT, related_name="events", verbose_name=_("rombongan")
    )
    action = models.CharField(_("tindakan"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # As text too: the record says who acted even after a staff account is removed ("" = the system).
    actor_email = models.EmailField(_("oleh"), blank=True)
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    # SET_NULL: a never-booked session may leave the schedule; the event stays.
    from_session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    places = models.PositiveSmallIntegerField(_("jumlah tempat"), null=True, blank=True)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("riwayat rombongan")
        verbose_name_plural = _("riwayat rombongan")
        ordering = ["at", "pk"]
        constraints = [
            # One decision per request: approve/reject/expire close it (backstop behind the conditional UPDATE).
            models.UniqueConstraint(
                fields=["group_visit"],
                condition=Q(action__in=["APPROVED", "REJECTED", "EXPIRED"]),
                name="visits_group_one_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.actor_email or '—'} · {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A group visit event is immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A group visit event is immutable.")


class GroupLetterAccess(models.Model):
    """Written every time staff open a group's request letter (like members.DocumentAccess)."""

    group_visit = models.ForeignKey(
        GroupVisit, null=True, on_delete=models.SET_NULL, related_name="letter_accesses", verbose_name=_("rombongan")
    )
    institution_name = models.CharField(_("nama instansi"), max_length=150)
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    viewer_email = models.EmailField(_("dilihat oleh"), blank=True)
    accessed_at = models.DateTimeField(_("waktu akses"), auto_now_add=True)

    class Meta:
        verbose_name = _("log akses surat rombongan")
        verbose_name_plural = _("log akses surat rombongan")
        ordering = ["-accessed_at"]

    def __str__(self) -> str:
        return f"{self.viewer_email} → {self.institution_name} ({self.accessed_at:%Y-%m-%d %H:%M})"
