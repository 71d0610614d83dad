"""Reads for member pages."""

from jaklitera.roles import staff_has_perms

from .models import Document, Member
from .validators import phone_display


def account_overview(*, user) -> dict:
    """What the account page shows: the member (if the email is confirmed), its photo and latest decision."""
    from verification.selectors import member_last_decision

    member = Member.objects.filter(user=user).first()
    photo = decision = None
    if member is not None:
        photo = Document.objects.filter(member=member, kind=Document.Kind.PHOTO).only("id").first()
        decision = member_last_decision(member=member)
    return {"member": member, "photo": photo, "phone": phone_display(user.phone), "decision": decision}


# --- Lengkapi Data and private documents (members/views/profile.py, documents.py) ---


def member_get_for_user(*, user) -> Member | None:
    """The member of a signed-in account, or None (email not confirmed yet)."""
    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user).first()


def member_documents(*, member: Member) -> dict[str, Document]:
    """The member's stored documents by kind (PHOTO, KTP, LETTER)."""
    return {document.kind: document for document in Document.objects.filter(member=member)}


def document_get_viewable(*, document_id, user) -> Document | None:
    """The document if ``user`` may see it, else None (the caller answers 404 either way).

    Allowed: the owner, and active staff holding ``members.view_private_document``
    (superusers implicitly). The permission alone is not enough without ``is_staff``:
    a permission granted to a member account by mistake must not open anyone's KTP.
    """
    if not (user.is_authenticated and user.is_active):
        return None
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return None
    if document.member_id == user.pk:
        return document
    if staff_has_perms(user, "members.view_private_document"):
        return document
    return None
