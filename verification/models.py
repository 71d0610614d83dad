"""The review queue: one Submission per time a member presses Selesai, one immutable Decision each.

See docs/verification.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """A member's data handed to the librarians (Selesai). A resubmission after a rejection is a new row."""

    class Status(models.TextChoices):
        WAITING = "WAITING", _("Menunggu")
        APPROVED = "APPROVED", _("Disetujui")
        REJECTED = "REJECTED", _("Ditolak")
        WITHDRAWN = "WITHDRAWN", _("Dibatalkan")

    # SET_NULL: when a member closes the account, the decision record stays (without the person).
    member = models.ForeignKey(
        "members.Member", null=True, on_delete=models.SET_NULL, related_name="submissions", verbose_name=_("anggota")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    is_resubmission = models.BooleanField(_("pengajuan ulang"), default=False)
    submitted_at = models.DateTimeField(_("diajukan"), db_index=True)
    # The typed data as submitted: the librarian decides on this, and a resubmission shows what changed.
    snapshot = models.JSONField(_("data saat diajukan"), default=dict, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sedang ditinjau oleh"),
    )
    claimed_until = models.DateTimeField(_("klaim berlaku hingga"), null=True, blank=True)
    documents_deleted_at = models.DateTimeField(_("dokumen dihapus"), null=True, blank=True)

    class Meta:
        verbose_name = _("pengajuan verifikasi")
        verbose_name_plural = _("antrean verifikasi")
        ordering = ["submitted_at", "pk"]
        permissions = [("decide_submission", _("Dapat menyetujui atau menolak pengajuan verifikasi"))]
        constraints = [
            # At most one submission of a member waits in the queue.
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(status="WAITING"), name="verification_one_waiting_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["WAITING", "APPROVED", "REJECTED", "WITHDRAWN"]),
                name="verification_submission_status_valid",
            ),
        ]

    def __str__(self) -> str:
        name = self.snapshot.get("full_name") or (self.member_id and str(self.member_id)) or "—"
        return f"{name} · {self.submitted_at:%Y-%m-%d %H:%M}"


class RejectionReason(models.TextChoices):
    PHOTO_UNCLEAR = "PHOTO_UNCLEAR", _("Foto tidak jelas")
    KTP_UNREADABLE = "KTP_UNREADABLE", _("KTP tidak terbaca")
    DATA_MISMATCH = "DATA_MISMATCH", _("Data tidak sesuai dengan KTP")
    LETTER_INVALID = "LETTER_INVALID", _("Surat keterangan tidak ada atau tidak berlaku")
    DUPLICATE = "DUPLICATE", _("Akun ganda")
    OTHER = "OTHER", _("Lainnya")


class Decision(models.Model):
    """Who decided what on which submission, when and why. Written once, never changed or deleted."""

    class Outcome(models.TextChoices):
        APPROVED = "APPROVED", _("Disetujui")
        REJECTED = "REJECTED", _("Ditolak")

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("pengajuan")
    )
    outcome = models.CharField(_("keputusan"), max_length=10, choices=Outcome.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("pustakawan")
    )
    # Kept as text too: the record says who decided even after a staff account is removed.
    reviewer_email = models.EmailField(_("email pustakawan"))
    decided_at = models.DateTimeField(_("waktu keputusan"))
    reasons = models.JSONField(_("alasan"), default=list, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    member_number = models.CharField(_("nomor anggota"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("keputusan verifikasi")
        verbose_name_plural = _("keputusan verifikasi")
        ordering = ["-decided_at"]
        constraints = [
            # Backstop behind the row lock in verification/services.py: one decision per submission.
            models.UniqueConstraint(fields=["submission"], name="verification_one_decision_per_submission"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["APPROVED", "REJECTED"]), name="verification_decision_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} · {self.reviewer_email} · {self.decided_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A decision is immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A decision is immutable.")

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(RejectionReason.choices)
        return [labels.get(code, code) for code in self.reasons]


class MemberNumberCounter(models.Model):
    """The last member number given out per year; its row is locked while a number is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("penghitung nomor anggota")
        verbose_name_plural = _("penghitung nomor anggota")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
