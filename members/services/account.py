"""A member's own data: download it (JSON) and close the account (UU PDP)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jaklitera.errors import ApplicationError, InvalidTransition

from ..models import MEMBER_DATA_FIELDS, Document, DocumentAccess, Member, User
from .documents import documents_delete

MEMBER_FIELDS = ("status", "member_number", *MEMBER_DATA_FIELDS, "submitted_at", "verified_at", "created_at")


class WrongPassword(ApplicationError):
    default_message = _("Kata sandi salah. Akun tidak ditutup.")


class StaffAccount(InvalidTransition):
    default_message = _("Akun staf ditutup oleh admin, bukan dari halaman ini.")


def json_value(value):
    """A field value as JSON can hold it (dates and times in ISO 8601)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def member_data_export(*, user: User) -> dict:
    """Everything Jaklitera stores about the person, as JSON-ready data.

    Document files are listed with a link to download them (owner only); staff who
    viewed them are listed by time and document kind, not by name.
    """
    from verification.selectors import member_submissions_export
    from visits.selectors import visitor_history_export

    member = Member.objects.filter(user=user).first()
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "phone": user.phone,
            "language": user.language,
            "date_joined": json_value(user.date_joined),
            "email_confirmed_at": json_value(user.email_confirmed_at),
            "last_login": json_value(user.last_login),
        },
        "member": None,
        "documents": [],
        "submissions": [],
        "document_views_by_staff": [],
        "visits": visitor_history_export(user=user),
    }
    if member is None:
        return data
    data["member"] = {name: json_value(getattr(member, name)) for name in MEMBER_FIELDS}
    data["documents"] = [
        {
            "kind": document.kind,
            "content_type": document.content_type,
            "size": document.size,
            "uploaded_at": document.uploaded_at.isoformat(),
            "download": settings.SITE_URL + reverse("members:document", args=[document.pk]),
        }
        for document in Document.objects.filter(member=member).order_by("kind")
    ]
    data["submissions"] = member_submissions_export(member=member)
    data["document_views_by_staff"] = [
        {"kind": kind, "accessed_at": accessed_at.isoformat()}
        for kind, accessed_at in DocumentAccess.objects.filter(member=member)
        .order_by("accessed_at")
        .values_list("document_kind", "accessed_at")
    ]
    return data


def account_close(*, user: User, password: str) -> None:
    """Close the account at the member's request, after re-entering the password.

    The account, the member data and every document (files after commit) are deleted;
    a waiting submission leaves the queue. Decision records stay, without personal data.
    Visits go too (``visits.services.erasure.visitor_forget``): active reservations and
    pending/approved group requests are cancelled, their places returned, and the person's
    reservation and group-request rows deleted, all in this one transaction: either the
    account is closed and the places are free, or nothing changed.
    Raises WrongPassword, StaffAccount, VisitsBusy (a session row stayed locked; try again).
    """
    from verification.services import submissions_forget
    from visits.services.erasure import visitor_forget
    from visits.services.quota import busy_guard

    if user.is_staff or user.is_superuser:
        raise StaffAccount()
    if not user.check_password(password or ""):
        raise WrongPassword()
    with busy_guard(), transaction.atomic():
        # The user row first: bookings and group requests lock it first too, so none slips in.
        # Lock order as in verification: submissions before the member row.
        locked = User.objects.select_for_update().get(pk=user.pk)
        member = Member.objects.filter(user=locked).first()
        if member is not None:
            submissions_forget(member=member)
            member = Member.objects.select_for_update().get(pk=member.pk)
            documents_delete(member=member, kinds=list(Document.Kind.values))
        # Places back last of the writes but the delete: the session rows stay locked only until COMMIT.
        visitor_forget(user=locked)
        locked.delete()
