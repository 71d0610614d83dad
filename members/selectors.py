"""Reads for member pages."""

from .models import Document, Member


def account_overview(*, user) -> dict:
    """What the account page shows: the member (if the email is confirmed) and its photo."""
    member = Member.objects.filter(user=user).first()
    photo = None
    if member is not None:
        photo = Document.objects.filter(member=member, kind=Document.Kind.PHOTO).only("id").first()
    return {"member": member, "photo": photo}
