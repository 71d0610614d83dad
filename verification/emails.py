"""Email builders of the review queue (see jaklitera/mail.py): rendered at send time, in the member's language."""

from django.urls import reverse

from jaklitera.mail import email_builder, email_render
from members.models import Member

from .models import Decision


def _decision(row) -> Decision | None:
    return Decision.objects.select_related("submission__member").filter(pk=row.context.get("decision_id")).first()


@email_builder("verification_approved")
def build_approved(row):
    decision = _decision(row)
    member = decision.submission.member if decision else None
    if member is None or member.status != Member.Status.TERVERIFIKASI:
        return None  # account closed meanwhile
    return email_render(
        template="verification_approved",
        to=row.to,
        context={
            "name": member.full_name,
            "member_number": member.member_number,
            "verified_at": member.verified_at,
            "card_path": reverse("members:card"),
        },
    )


@email_builder("verification_rejected")
def build_rejected(row):
    decision = _decision(row)
    member = decision.submission.member if decision else None
    if member is None or member.status != Member.Status.DITOLAK:
        return None  # account closed, or already corrected and resubmitted
    return email_render(
        template="verification_rejected",
        to=row.to,
        context={
            "name": member.full_name,
            # Labels are looked up now, so they come in the member's language.
            "reasons": decision.reason_labels,
            "note": decision.note,
            "fix_path": reverse("members:profile_start"),
        },
    )
