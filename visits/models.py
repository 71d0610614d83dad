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
    opens_at = models.TimeField(_("jam buka"), default=datetime.time(9, 0))
    closes_at = models.TimeField(_("jam tutup"), default=datetime.time(17, 0))

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

    code = models.CharField(_("kode reservasi"), max_length=12, unique=True)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="reservations")
    # PROTECT: a person's active place must be cancelled through the service (which returns it).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reservations")
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
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="visits_res_user_status"),
            models.Index(fields=["session", "status"], name="visits_res_session_status"),
        ]

    def __str__(self) -> str:
        return self.code_display

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


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
