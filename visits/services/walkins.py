"""Walk-ins: a visitor without a reservation is registered at the desk and checked in at once.

The place comes from the same conditional UPDATE as an online booking (``quota.quota_take``,
docs/quota.md), as the last statement of the transaction: a walk-in can never overbook.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Member
from members.validators import phone_normalize

from .. import desk_errors
from .. import errors as visit_errors
from ..models import DeskEvent, Reservation, Session
from . import quota
from .checkin import checkin_is_open, session_current
from .noshows import block_active
from .quota import busy_guard
from .reservations import _category, _code_new, _full_or_closed, _user_lock
from .schedule import local_today

logger = logging.getLogger(__name__)


def visitor_lookup(*, text: str):
    """An active, confirmed account by email, member number or mobile number; None if there is none."""
    text = (text or "").strip()
    if not text:
        return None
    users = get_user_model().objects.filter(is_active=True, email_confirmed_at__isnull=False)
    if "@" in text:
        return users.filter(email__iexact=text).first()
    member = Member.objects.filter(member_number="".join(text.split()).upper()).only("pk").first()
    if member is not None:
        return users.filter(pk=member.pk).first()
    try:
        phone = phone_normalize(text)
    except ValidationError:
        return None
    # A phone number is not unique: refuse to guess between accounts.
    matches = list(users.filter(phone=phone)[:2])
    return matches[0] if len(matches) == 1 else None


def walkin_register(
    *,
    staff,
    session_id: int | None = None,
    user=None,
    guest_name: str = "",
    guest_phone: str = "",
    children: int = 0,
    now=None,
) -> Reservation:
    """Register a walk-in for ``user`` (an account) or a guest (name + phone), checked in now.

    ``session_id`` defaults to the session checking in now. Party = 1 + ``children``.
    Raises WalkinNotOpen, VisitorBlocked, WalkinAlreadyBooked, TooManyChildren, QuotaFull,
    BookingClosed, VisitsBusy.
    """
    now = now or timezone.now()
    if not 0 <= children <= settings.VISITS_MAX_CHILDREN:
        raise visit_errors.TooManyChildren(settings.VISITS_MAX_CHILDREN)
    session = Session.objects.filter(pk=session_id).first() if session_id is not None else session_current(now=now)
    if session is None or session.date != local_today(now) or not checkin_is_open(session, now=now):
        raise desk_errors.WalkinNotOpen(session)
    if user is None and not guest_name.strip():
        raise desk_errors.VisitorNotFound()
    if user is not None:
        block = block_active(user=user, today=local_today(now))
        if block is not None:
            raise desk_errors.VisitorBlocked(block=block)
    with busy_guard():
        return _walkin_register(
            staff=staff,
            session=session,
            user=user,
            guest_name=guest_name,
            guest_phone=guest_phone,
            party=1 + children,
            now=now,
        )


@transaction.atomic
def _walkin_register(*, staff, session, user, guest_name, guest_phone, party, now) -> Reservation:
    category = Reservation.Category.NON_ANGGOTA
    if user is not None:
        # The same per-account lock as an online booking; it also reads the membership.
        category = _category(_user_lock(user))
        existing = Reservation.objects.filter(user=user, session=session, status=Reservation.Status.ACTIVE).first()
        if existing is not None:
            raise desk_errors.WalkinAlreadyBooked(reservation=existing)
    if session.places_left < party:
        raise visit_errors.QuotaFull()  # early answer; the UPDATE below is the guarantee
    reservation = None
    for _attempt in range(5):
        code = _code_new()
        try:
            with transaction.atomic():
                reservation = Reservation.objects.create(
                    code=code,
                    session=session,
                    user=user,
                    category=category,
                    party_size=party,
                    is_walk_in=True,
                    guest_name="" if user is not None else guest_name.strip()[:150],
                    guest_phone="" if user is not None else guest_phone,
                    attendance=Reservation.Attendance.CHECKED_IN,
                    checked_in_at=now,
                    created_at=now,
                )
            break
        except IntegrityError:
            if Reservation.objects.filter(code=code).exists():
                continue
            existing = Reservation.objects.get(user=user, session=session, status=Reservation.Status.ACTIVE)
            raise desk_errors.WalkinAlreadyBooked(reservation=existing) from None
    if reservation is None:  # pragma: no cover - five collisions in a 6.6e11 space
        raise visit_errors.VisitError()
    DeskEvent.objects.create(action=DeskEvent.Action.WALK_IN, reservation=reservation, staff=staff, created_at=now)
    # Last statement: the session row stays locked only until COMMIT. See docs/quota.md.
    if not quota.quota_take(session_id=session.pk, places=party):
        raise _full_or_closed(session.pk)
    logger.info("Walk-in %s: session %s, %s person(s), staff %s", reservation.pk, session.pk, party, staff.pk)
    return reservation
