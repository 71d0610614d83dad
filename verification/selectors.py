"""Reads for the review queue and the member's account page."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from members.models import Document, Member, User
from members.selectors import member_documents
from members.validators import PROVINCE_CODES, nik_check_against

from .models import Decision, Submission


def members_same_nik(*, nik, member_id) -> QuerySet[Member]:
    """Other members with this NIK (blank never matches). Values or ``OuterRef``s."""
    return Member.objects.filter(nik=nik).exclude(pk=member_id).exclude(nik="")


def users_same_phone(*, phone, user_id) -> QuerySet[User]:
    """Other accounts with this phone number (blank never matches). Values or ``OuterRef``s."""
    return User.objects.filter(phone=phone).exclude(pk=user_id).exclude(phone="")


def queue_queryset() -> QuerySet[Submission]:
    """Submissions with what the queue list shows, in one query (no N+1)."""
    same_nik = members_same_nik(nik=OuterRef("member__nik"), member_id=OuterRef("member_id"))
    same_phone = users_same_phone(phone=OuterRef("member__user__phone"), user_id=OuterRef("member_id"))
    return (
        Submission.objects.select_related("member__user", "claimed_by")
        .annotate(has_same_nik=Exists(same_nik), has_same_phone=Exists(same_phone))
        .order_by("submitted_at", "pk")
    )


@dataclass(frozen=True)
class NikCheck:
    ok: bool
    message: str
    province: str


def nik_check(*, member: Member) -> NikCheck:
    """The NIK structure check (members/validators.py) against the typed birth date and gender."""
    try:
        parts = nik_check_against(member.nik, birth_date=member.birth_date, gender=member.gender)
    except ValidationError as error:
        return NikCheck(ok=False, message=" ".join(error.messages), province=PROVINCE_CODES.get(member.nik[:2], ""))
    return NikCheck(ok=True, message="", province=parts.province_name)


def submission_review(*, submission: Submission) -> dict:
    """Everything the review page shows for one submission."""
    member = submission.member
    if member is None:
        return {"submission": submission, "member": None}
    documents = member_documents(member=member)
    same_nik = list(members_same_nik(nik=member.nik, member_id=member.pk).select_related("user")[:10])
    same_phone = list(users_same_phone(phone=member.user.phone, user_id=member.user_id)[:10])
    history = list(
        Decision.objects.filter(submission__member=member)
        .exclude(submission=submission)
        .select_related("submission")
        .order_by("-decided_at")
    )
    previous = history[0] if history else None
    changed_fields: list[str] = []
    new_documents: list[str] = []
    if previous is not None:
        before = previous.submission.snapshot
        changed_fields = [
            str(Member._meta.get_field(name).verbose_name)
            for name, value in submission.snapshot.items()
            if before.get(name) != value
        ]
        new_documents = [
            document.get_kind_display() for document in documents.values() if document.uploaded_at > previous.decided_at
        ]
    now = timezone.now()
    claim_active = submission.claimed_until is not None and submission.claimed_until > now
    return {
        "submission": submission,
        "member": member,
        "documents": documents,
        "photo": documents.get(Document.Kind.PHOTO),
        "ktp": documents.get(Document.Kind.KTP),
        "letter": documents.get(Document.Kind.LETTER),
        "nik": nik_check(member=member),
        "same_nik": same_nik,
        "same_phone": same_phone,
        "history": history,
        "previous": previous,
        "changed_fields": changed_fields,
        "new_documents": new_documents,
        "claimed_by": submission.claimed_by if claim_active else None,
        "decision": Decision.objects.filter(submission=submission).first(),
    }


def member_last_decision(*, member: Member) -> Decision | None:
    """The member's latest decision (the account page shows a rejection's reasons)."""
    return Decision.objects.filter(submission__member=member).order_by("-decided_at").first()


def member_submissions_export(*, member: Member) -> list[dict]:
    """The member's submissions and decisions for their data download (staff named by role only)."""
    rows = []
    for submission in Submission.objects.filter(member=member).prefetch_related("decisions").order_by("submitted_at"):
        decisions = [
            {
                "outcome": decision.outcome,
                "decided_at": decision.decided_at.isoformat(),
                "reasons": decision.reasons,
                "note": decision.note,
                "member_number": decision.member_number,
            }
            for decision in submission.decisions.all()
        ]
        rows.append(
            {
                "submitted_at": submission.submitted_at.isoformat(),
                "status": submission.status,
                "is_resubmission": submission.is_resubmission,
                "decisions": decisions,
            }
        )
    return rows
