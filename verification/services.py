"""The review queue: submissions in, claims, approve / reject, member numbers, document retention.

Decisions are guarded by a row lock: the submission and its member are locked
(``select_for_update``) and their status is checked again under the lock, so the second
of two librarians deciding at once gets :class:`AlreadyDecided` and nothing is written
or emailed twice. A unique constraint (one decision per submission) backs the lock up.
See docs/verification.md.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from jaklitera.errors import ApplicationError, Busy, InvalidTransition
from jaklitera.mail import email_queue
from jaklitera.roles import staff_has_perms
from members.models import MEMBER_DATA_FIELDS, Document, Member
from members.services.account import json_value
from members.services.documents import documents_delete

from .models import Decision, MemberNumberCounter, RejectionReason, Submission
from .selectors import members_same_nik

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 1000


class VerificationError(ApplicationError):
    default_message = _("Pengajuan tidak dapat diproses.")


class NotAllowed(VerificationError):
    default_message = _("Anda tidak berwenang melakukan verifikasi anggota.")


class AlreadyDecided(InvalidTransition):
    """Someone else decided first; the message says who, what and when."""

    def __init__(self, decision: Decision | None = None):
        self.decision = decision
        if decision is None:
            message = _("Pengajuan ini sudah tidak menunggu verifikasi.")
        else:
            when = formats.date_format(timezone.localtime(decision.decided_at), "j F Y, H.i")
            message = _("Pengajuan ini sudah diputuskan (%(outcome)s) oleh %(who)s pada %(when)s WIB.") % {
                "outcome": decision.get_outcome_display(),
                "who": decision.reviewer_email,
                "when": when,
            }
        super().__init__(message)


class Withdrawn(InvalidTransition):
    default_message = _("Pengajuan ini dibatalkan karena anggota menutup akunnya.")


class ReasonRequired(VerificationError):
    """A rejection needs one or more reasons from the list and a note for the member."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(_("Penolakan memerlukan alasan dari daftar dan penjelasan untuk anggota."))


class NikTaken(VerificationError):
    default_message = _(
        "NIK ini sudah dimiliki anggota lain yang TERVERIFIKASI. Tolak pengajuan ini dengan alasan Akun ganda."
    )


class BulkNotAllowed(VerificationError):
    default_message = _(
        "Pengajuan dengan KTP luar DKI Jakarta tidak dapat disetujui sekaligus: "
        "dokumennya harus diperiksa satu per satu."
    )


# --- Permissions ----------------------------------------------------------------------------


def reviewer_can_review(user) -> bool:
    """Active staff who may open and claim submissions (group Verifikator, or superuser)."""
    return staff_has_perms(user, "verification.change_submission")


def reviewer_can_decide(user) -> bool:
    """Active staff who may approve or reject (group Verifikator, or superuser)."""
    return staff_has_perms(user, "verification.decide_submission")


# --- Into the queue (called by members.services.profile.member_submit) ---------------------


def submission_open(*, member: Member) -> Submission:
    """Put the member's submitted data in the queue. Call inside the submit transaction, member locked.

    A member who was rejected before comes back marked as a resubmission.
    """
    is_resubmission = Submission.objects.filter(member=member, status=Submission.Status.REJECTED).exists()
    return Submission.objects.create(
        member=member,
        submitted_at=member.submitted_at or timezone.now(),
        is_resubmission=is_resubmission,
        snapshot=member_snapshot(member=member),
    )


def member_snapshot(*, member: Member) -> dict:
    """The member data the librarian decides on, as JSON (Submission.snapshot)."""
    return {name: json_value(getattr(member, name)) for name in MEMBER_DATA_FIELDS}


def submissions_forget(*, member: Member) -> None:
    """The member closes the account: a waiting submission leaves the queue and every snapshot
    of their data is erased. The decisions (who, when, outcome, reasons) stay.

    Call inside the closing transaction, before locking the member row (lock order as in decisions).
    """
    submissions = Submission.objects.select_for_update().filter(member=member)
    list(submissions)  # lock them
    submissions.filter(status=Submission.Status.WAITING).update(
        status=Submission.Status.WITHDRAWN, claimed_by=None, claimed_until=None
    )
    submissions.update(snapshot={})


# --- Claims -----------------------------------------------------------------------------------


def _claim_until(now: datetime) -> datetime:
    return now + timedelta(minutes=settings.VERIFICATION_CLAIM_MINUTES)


def _claimable(*, reviewer, now: datetime) -> Q:
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=reviewer)
    return Q(status=Submission.Status.WAITING) & free


def submission_claim_next(*, reviewer, skipped: tuple[int, ...] = ()) -> Submission | None:
    """Claim the oldest waiting submission nobody else holds, for VERIFICATION_CLAIM_MINUTES.

    A reviewer who already holds a claim gets that one back (renewed). Two reviewers
    asking at once get different submissions: each claim is one conditional UPDATE,
    and a reviewer whose UPDATE matched nothing tries the next candidate. Submissions
    this reviewer skipped (Lewati) come last, so "next" moves on instead of returning them.
    Returns None when nothing is free. Raises NotAllowed.
    """
    if not reviewer_can_review(reviewer):
        raise NotAllowed()
    now = timezone.now()
    own = (
        Submission.objects.filter(status=Submission.Status.WAITING, claimed_by=reviewer, claimed_until__gt=now)
        .order_by("submitted_at", "pk")
        .first()
    )
    candidates = [own.pk] if own else []
    free = list(
        Submission.objects.filter(_claimable(reviewer=reviewer, now=now))
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)[:50]
    )
    candidates += [pk for pk in free if pk not in skipped] + [pk for pk in free if pk in skipped]
    for pk in candidates:
        claimed = (
            Submission.objects.filter(pk=pk)
            .filter(_claimable(reviewer=reviewer, now=now))
            .update(claimed_by=reviewer, claimed_until=_claim_until(now))
        )
        if claimed:
            return Submission.objects.select_related("member__user").get(pk=pk)
    return None


def submission_claim(*, submission_id: int, reviewer) -> bool:
    """Claim one submission opened from the list, if it is waiting and free. Returns True if it is now ours."""
    if not reviewer_can_review(reviewer):
        raise NotAllowed()
    now = timezone.now()
    return bool(
        Submission.objects.filter(pk=submission_id)
        .filter(_claimable(reviewer=reviewer, now=now))
        .update(claimed_by=reviewer, claimed_until=_claim_until(now))
    )


def submission_release(*, submission_id: int, reviewer) -> bool:
    """Give back one's own claim (Lewati). Returns True if a claim was released."""
    return bool(
        Submission.objects.filter(pk=submission_id, claimed_by=reviewer).update(claimed_by=None, claimed_until=None)
    )


# --- Decisions ---------------------------------------------------------------------------------


def submission_approve(*, submission_id: int, reviewer, require_dki: bool = False) -> Decision:
    """Approve: the member becomes TERVERIFIKASI with a new member number and verified date.

    ``require_dki`` (bulk approval) refuses a non-DKI submission under the lock.
    Queues the approval email. Returns the decision. Raises NotAllowed, AlreadyDecided,
    Withdrawn, InvalidTransition, NikTaken, BulkNotAllowed, Busy.
    """
    if not reviewer_can_decide(reviewer):
        raise NotAllowed()
    with _lock_errors(), transaction.atomic():
        submission, member = _submission_lock(submission_id)
        _check_waiting(submission, member)
        if require_dki and member.ktp_origin != Member.KtpOrigin.DKI:
            raise BulkNotAllowed()
        if members_same_nik(nik=member.nik, member_id=member.pk).filter(status=Member.Status.TERVERIFIKASI).exists():
            raise NikTaken()
        now = timezone.now()
        member.status = Member.Status.TERVERIFIKASI
        member.member_number = member.member_number or member_number_next(at=now)
        member.verified_at = now
        try:
            with transaction.atomic():
                member.save(update_fields=["status", "member_number", "verified_at", "updated_at"])
        except IntegrityError as error:
            # Another member with this NIK was verified at the same moment (unique constraint).
            raise NikTaken() from error
        decision = _decision_record(
            submission, Decision.Outcome.APPROVED, reviewer=reviewer, at=now, member_number=member.member_number
        )
        email_queue(
            kind="verification_approved", to=member.user.email, user=member.user, context={"decision_id": decision.pk}
        )
    return decision


def submission_reject(*, submission_id: int, reviewer, reasons: list[str], note: str) -> Decision:
    """Reject with one or more reasons from RejectionReason and a note for the member (both required).

    The member (status DITOLAK) may correct what was wrong and submit again. Queues the
    rejection email. Returns the decision. Raises NotAllowed, ReasonRequired,
    AlreadyDecided, Withdrawn, InvalidTransition, Busy.
    """
    if not reviewer_can_decide(reviewer):
        raise NotAllowed()
    reasons, note = _reasons_clean(reasons, note)
    with _lock_errors(), transaction.atomic():
        submission, member = _submission_lock(submission_id)
        _check_waiting(submission, member)
        now = timezone.now()
        member.status = Member.Status.DITOLAK
        member.save(update_fields=["status", "updated_at"])
        decision = _decision_record(
            submission, Decision.Outcome.REJECTED, reviewer=reviewer, at=now, reasons=reasons, note=note
        )
        email_queue(
            kind="verification_rejected", to=member.user.email, user=member.user, context={"decision_id": decision.pk}
        )
    return decision


@dataclass
class BulkResult:
    approved: list[Decision] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def submissions_approve_dki(*, submission_ids: list[int], reviewer) -> BulkResult:
    """Approve several DKI submissions, each in its own transaction with the same guards.

    Refuses the whole batch (BulkNotAllowed) if any of them has a KTP from outside DKI:
    those documents must be looked at one by one. Raises NotAllowed, BulkNotAllowed.
    """
    if not reviewer_can_decide(reviewer):
        raise NotAllowed()
    if Submission.objects.filter(pk__in=submission_ids).exclude(member__ktp_origin=Member.KtpOrigin.DKI).exists():
        raise BulkNotAllowed()
    result = BulkResult()
    for submission_id in submission_ids:
        try:
            result.approved.append(submission_approve(submission_id=submission_id, reviewer=reviewer, require_dki=True))
        except ApplicationError as error:
            result.refused.append((submission_id, str(error)))
    return result


def _submission_lock(submission_id: int) -> tuple[Submission, Member | None]:
    """Lock the submission, then its member (always in this order), and read both afresh."""
    submission = Submission.objects.select_for_update().get(pk=submission_id)
    member = None
    if submission.member_id is not None:
        member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=submission.member_id)
    return submission, member


def _check_waiting(submission: Submission, member: Member | None) -> None:
    if submission.status == Submission.Status.WITHDRAWN or member is None:
        raise Withdrawn()
    if submission.status != Submission.Status.WAITING:
        raise AlreadyDecided(Decision.objects.filter(submission=submission).first())
    if member.status != Member.Status.MENUNGGU_VERIFIKASI:
        raise InvalidTransition()


def _decision_record(
    submission: Submission,
    outcome: str,
    *,
    reviewer,
    at: datetime,
    reasons: list[str] | None = None,
    note: str = "",
    member_number: str = "",
) -> Decision:
    submission.status = (
        Submission.Status.APPROVED if outcome == Decision.Outcome.APPROVED else Submission.Status.REJECTED
    )
    submission.claimed_by = None
    submission.claimed_until = None
    submission.save(update_fields=["status", "claimed_by", "claimed_until"])
    return Decision.objects.create(
        submission=submission,
        outcome=outcome,
        reviewer=reviewer,
        reviewer_email=reviewer.email,
        decided_at=at,
        reasons=reasons or [],
        note=note,
        member_number=member_number or "",
    )


def _reasons_clean(reasons: list[str], note: str) -> tuple[list[str], str]:
    allowed = set(RejectionReason.values)
    cleaned = [code for code in RejectionReason.values if code in set(reasons or [])]
    errors = {}
    if not cleaned or set(reasons or []) - allowed:
        errors["reasons"] = str(_("Pilih satu atau lebih alasan dari daftar."))
    note = (note or "").strip()
    if not note:
        errors["note"] = str(_("Tulis penjelasan untuk anggota: apa yang perlu diperbaiki."))
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = str(_("Maksimal %(max)d karakter.") % {"max": NOTE_MAX_LENGTH})
    if errors:
        raise ReasonRequired(errors)
    return cleaned, note


class _lock_errors:
    """A lock held too long (DB lock_timeout) becomes a polite 'busy, try again'."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None and issubclass(exc_type, OperationalError):
            code = getattr(getattr(exc, "__cause__", None), "pgcode", None)
            if code == "55P03" or "lock" in str(exc).lower():
                raise Busy() from exc
        return False


# --- Member numbers ----------------------------------------------------------------------------


def member_number_next(*, at: datetime) -> str:
    """The next member number of the year of ``at`` (WIB), e.g. ``2026-000123``.

    Call inside a transaction: the year's counter row stays locked until commit, so two
    approvals never get the same number (and member_number is unique in the database).
    """
    year = timezone.localtime(at).year
    counter = MemberNumberCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                MemberNumberCounter.objects.create(year=year, last=_highest_number(year))
        except IntegrityError:
            pass  # created by a concurrent approval: lock theirs
        counter = MemberNumberCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:06d}"


def _highest_number(year: int) -> int:
    """Numbers given before the counter existed (imported or demo data) are never given again."""
    highest = 0
    for number in Member.objects.filter(member_number__startswith=f"{year}-").values_list("member_number", flat=True):
        suffix = number.split("-", 1)[1]
        if suffix.isdigit():
            highest = max(highest, int(suffix))
    return highest


# --- Retention ----------------------------------------------------------------------------------


def documents_purge_expired(*, now: datetime | None = None) -> int:
    """Delete documents kept past DOCUMENT_RETENTION_DAYS after the decision. Returns how many.

    - Verified members: KTP and letter (the photo stays: it is on the member card).
    - Rejected and abandoned (still DITOLAK, no change or upload since): every document.
    Decisions and submissions stay; the submission records when its documents went.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DOCUMENT_RETENTION_DAYS)
    deleted = 0
    verified = (
        Member.objects.filter(
            status=Member.Status.TERVERIFIKASI,
            verified_at__lt=cutoff,
            documents__kind__in=[Document.Kind.KTP, Document.Kind.LETTER],
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    for member_id in list(verified):
        deleted += _member_documents_purge(
            member_id=member_id,
            status=Member.Status.TERVERIFIKASI,
            kinds=[Document.Kind.KTP, Document.Kind.LETTER],
            cutoff=cutoff,
            now=now,
        )
    abandoned = (
        Member.objects.filter(status=Member.Status.DITOLAK, updated_at__lt=cutoff, documents__isnull=False)
        .annotate(last_decided=Max("submissions__decisions__decided_at"), last_upload=Max("documents__uploaded_at"))
        .filter(last_decided__lt=cutoff, last_upload__lt=cutoff)
        .values_list("pk", flat=True)
        .distinct()
    )
    for member_id in list(abandoned):
        deleted += _member_documents_purge(
            member_id=member_id, status=Member.Status.DITOLAK, kinds=list(Document.Kind.values), cutoff=cutoff, now=now
        )
    if deleted:
        logger.info("Retention: deleted %d documents", deleted)
    return deleted


@transaction.atomic
def _member_documents_purge(*, member_id, status: str, kinds: list[str], cutoff: datetime, now: datetime) -> int:
    member = Member.objects.select_for_update().filter(pk=member_id, status=status).first()
    if member is None:
        return 0  # changed since the query (resubmitted): keep everything
    if status == Member.Status.DITOLAK and member.updated_at >= cutoff:
        return 0
    count = documents_delete(member=member, kinds=kinds)
    latest = Submission.objects.filter(member=member).order_by("-submitted_at").first()
    if latest is not None and latest.documents_deleted_at is None:
        latest.documents_deleted_at = now
        latest.save(update_fields=["documents_deleted_at"])
    return count
