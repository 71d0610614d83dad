"""Booking, cancelling and rescheduling a visit, and the reminder the day before.

Every change of places goes through ``quota.quota_take`` / ``quota.quota_release``
as the last statement of the transaction (docs/quota.md). One account's bookings
are serialised by a lock on its user row: the "3 active" limit and the idempotent
form token are checked under that lock.
"""

import datetime
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jaklitera.mail import email_queue, email_queue_many
from members.models import Member

from .. import errors
from ..models import Reservation, ReservationChild, Session
from . import quota
from .noshows import block_check
from .quota import busy_guard
from .schedule import booking_window, local_today

logger = logging.getLogger(__name__)

# Short, unambiguous (no 0/O, 1/I/L, U) and unguessable: 30^8 ≈ 6.6 × 10^11 codes, drawn by `secrets`.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8


@dataclass(frozen=True)
class Child:
    name: str
    age: int


def code_normalize(code: str) -> str:
    """What a person typed or a scanner read → the stored form (upper case, no dash or spaces)."""
    return "".join((code or "").upper().split()).replace("-", "")


def _code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _category(member_status: str | None) -> str:
    """Anggota for a verified member (``_user_lock`` reads the status), else Non Anggota."""
    verified = member_status == Member.Status.TERVERIFIKASI
    return Reservation.Category.ANGGOTA if verified else Reservation.Category.NON_ANGGOTA


def _children_check(children: Sequence[Child]) -> None:
    if len(children) > settings.VISITS_MAX_CHILDREN:
        raise errors.TooManyChildren(settings.VISITS_MAX_CHILDREN)
    for child in children:
        if not child.name.strip() or not (0 <= child.age <= settings.VISITS_CHILD_MAX_AGE):
            raise errors.InvalidChild()


def _session_bookable_check(session: Session, *, now) -> None:
    """Raise why this session cannot be booked now (closed, past, last check-in, beyond window)."""
    if session.status == Session.Status.CLOSED or now >= session.last_checkin_at:
        raise errors.BookingClosed()
    if session.date < local_today(now):
        raise errors.BookingClosed()
    if session.date not in booking_window(today=local_today(now)):
        raise errors.NotYetOpen()


def _user_lock(user) -> str | None:
    """Lock the visitor's row and read their membership status (None: no Member) in one query.

    Serialises one account's bookings (limit, token); other accounts are not affected.
    """
    row = (
        get_user_model()
        .objects.select_for_update(of=("self",))  # not the member row (LEFT JOIN: it may not exist)
        .select_related("member")
        .only("pk", "member__status")
        .get(pk=user.pk)
    )
    member = getattr(row, "member", None)
    return member.status if member is not None else None


# One statement, run by every booking: the session and what the rules need to know about the
# visitor. Written as SQL because the ORM spent about 2.5 ms building its four subqueries
# against 0.3 ms to run them (docs/performance.md). Every value is a parameter.
_FACTS_SQL = """
SELECT s.*,
    EXISTS (
        SELECT 1 FROM visits_visitblock b
        WHERE b.user_id = %(user)s AND b.lifted_at IS NULL AND b.starts_on <= %(today)s AND b.ends_on >= %(today)s
    ) AS blocked,
    EXISTS (
        SELECT 1 FROM visits_reservation r
        WHERE r.user_id = %(user)s AND r.status = %(active)s AND r.session_id = s.id
    ) AS already_booked,
    (
        SELECT COUNT(*) FROM visits_reservation r JOIN visits_session rs ON rs.id = r.session_id
        WHERE r.user_id = %(user)s AND r.status = %(active)s AND rs.ends_at > %(now)s
    ) AS active_upcoming,
    (
        SELECT r.id FROM visits_reservation r WHERE r.user_id = %(user)s AND r.request_token = %(token)s
    ) AS existing_id
FROM visits_session s
WHERE s.id = %(session)s
"""


def _session_for_visitor(*, session_id: int, user, token, now) -> Session | None:
    """The session and what the rules need to know about this visitor, in one query.

    Run it after ``_user_lock``: READ COMMITTED gives this statement a new snapshot, so it
    sees every booking of this account that committed while we waited for the lock.
    Annotates ``blocked`` (too many no-shows), ``already_booked``, ``active_upcoming`` and
    ``existing_id`` (the form token's reservation, or None).
    """
    ops = connection.ops
    params = {
        "user": user.pk,
        "today": ops.adapt_datefield_value(local_today(now)),
        "active": Reservation.Status.ACTIVE.value,
        "now": ops.adapt_datetimefield_value(now),
        # NULL when there is no token: "= NULL" matches nothing, so existing_id is NULL.
        "token": Reservation._meta.get_field("request_token").get_db_prep_value(token, connection),
        "session": session_id,
    }
    return next(iter(Session.objects.raw(_FACTS_SQL, params)), None)


def _insert(
    *,
    user,
    session: Session,
    category: str,
    children: Sequence[Child],
    token,
    rescheduled_from=None,
    savepoint: bool = True,
):
    """Insert the reservation and its children (savepoint per try: a code collision retries).

    ``savepoint=False`` (the booking rush): one INSERT, no SAVEPOINT round trips; an
    IntegrityError aborts the whole transaction and ``reservation_create`` sorts it out.
    """
    if not savepoint:
        reservation = Reservation.objects.create(
            code=_code_new(),
            session=session,
            user=user,
            category=category,
            party_size=1 + len(children),
            request_token=token,
            rescheduled_from=rescheduled_from,
        )
        if children:
            ReservationChild.objects.bulk_create(
                [ReservationChild(reservation=reservation, name=c.name.strip(), age=c.age) for c in children]
            )
        return reservation
    for _attempt in range(5):
        code = _code_new()
        try:
            with transaction.atomic():
                reservation = Reservation.objects.create(
                    code=code,
                    session=session,
                    user=user,
                    category=category,
                    party_size=1 + len(children),
                    request_token=token,
                    rescheduled_from=rescheduled_from,
                )
        except IntegrityError:
            if Reservation.objects.filter(code=code).exists():
                continue
            # The partial unique index: an active reservation of this account in this session.
            raise errors.AlreadyBooked() from None
        ReservationChild.objects.bulk_create(
            [ReservationChild(reservation=reservation, name=c.name.strip(), age=c.age) for c in children]
        )
        return reservation
    raise errors.VisitError()  # pragma: no cover - five collisions in a 6.6e11 space


def _full_or_closed(session_id: int) -> errors.VisitError:
    status = Session.objects.filter(pk=session_id).values_list("status", flat=True).first()
    return errors.BookingClosed() if status == Session.Status.CLOSED else errors.QuotaFull()


def reservation_can_change(*, reservation: Reservation, now: datetime.datetime | None = None) -> bool:
    """The visitor may still reschedule or cancel: the reservation is active and its session
    has not started (the library's own cancellations are not bound by the start)."""
    return reservation.is_active and (now or timezone.now()) < reservation.session.starts_at


def reservation_create(
    *,
    user,
    session_id: int,
    children: Sequence[Child] = (),
    acknowledged: bool,
    token: uuid.UUID | None = None,
) -> Reservation:
    """Book a place for ``user`` and ``children`` in a session.

    ``token`` comes from the form: the same token again returns the reservation it
    already made (double submit, retry). Anggota if the member is verified, else Non Anggota.

    Raises EmailNotConfirmed, NotAcknowledged, TooManyChildren, InvalidChild, SessionNotFound,
    BookingClosed, NotYetOpen, AlreadyBooked, TooManyActive, QuotaFull, VisitsBusy,
    BookingBlocked (desk_errors).
    """
    if not (user.is_active and user.email_confirmed_at):
        raise errors.EmailNotConfirmed()
    if not acknowledged:
        raise errors.NotAcknowledged()
    children = list(children)
    _children_check(children)
    with busy_guard():
        for attempt in range(3):
            try:
                return _reservation_create(user=user, session_id=session_id, children=children, token=token)
            except IntegrityError:
                # Rolled back. A double submit that raced us, a second booking, or (about once
                # in 10^6 bookings) a code already taken: then try again with a new code.
                if token is not None:
                    existing = Reservation.objects.filter(user=user, request_token=token).first()
                    if existing is not None:
                        return existing
                mine = Reservation.objects.filter(user=user, session_id=session_id, status=Reservation.Status.ACTIVE)
                if mine.exists():
                    raise errors.AlreadyBooked() from None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def _reservation_create(*, user, session_id, children, token) -> Reservation:
    # Queries on success: lock, session + facts, INSERT(s), outbox INSERT, counter UPDATE
    # (pinned in tests/visits/test_performance.py; see docs/performance.md).
    now = timezone.now()
    member_status = _user_lock(user)
    session = _session_for_visitor(session_id=session_id, user=user, token=token, now=now)
    if session is None:
        raise errors.SessionNotFound()
    if session.blocked:
        block_check(user=user, now=now)  # raises BookingBlocked with the dates: docs/operations.md#no-show
    if session.existing_id is not None:
        return Reservation.objects.get(pk=session.existing_id)
    _session_bookable_check(session, now=now)
    if session.already_booked:
        raise errors.AlreadyBooked()
    limit = settings.VISITS_MAX_ACTIVE_RESERVATIONS
    if session.active_upcoming >= limit:
        raise errors.TooManyActive(limit)
    party = 1 + len(children)
    if session.places_left < party:
        raise errors.QuotaFull()  # early answer, the cheap "penuh"; the UPDATE below is the guarantee
    category = _category(member_status)
    reservation = _insert(
        user=user, session=session, category=category, children=children, token=token, savepoint=False
    )
    email_queue(kind="visit_confirmed", to=user.email, user=user, context={"reservation_id": reservation.pk})
    # Last statement: the session row stays locked only until COMMIT. See docs/quota.md.
    if not quota.quota_take(session_id=session.pk, places=party):
        raise _full_or_closed(session.pk)
    logger.info("Reservation %s: session %s, %s person(s)", reservation.pk, session.pk, party)
    return reservation


def reservation_cancel(
    *, reservation_id: int, user=None, reason: str = Reservation.CancelReason.VISITOR
) -> Reservation:
    """Cancel an active reservation; its places return at once and the visitor is emailed.

    ``user`` (when given) must own it. A visitor may cancel until the session starts.
    Raises Reservation.DoesNotExist, ReservationNotActive, SessionStarted, VisitsBusy.
    """
    with busy_guard():
        return _reservation_cancel(reservation_id=reservation_id, user=user, reason=reason)


@transaction.atomic
def _reservation_cancel(*, reservation_id, user, reason) -> Reservation:
    now = timezone.now()
    queryset = Reservation.objects.select_related("session", "user")
    if user is not None:
        queryset = queryset.filter(user=user)
    reservation = queryset.get(pk=reservation_id)
    if reservation.status != Reservation.Status.ACTIVE:
        raise errors.ReservationNotActive()
    if reason == Reservation.CancelReason.VISITOR and not reservation_can_change(reservation=reservation, now=now):
        raise errors.SessionStarted()
    # Conditional: of two cancels at once, only one returns the places.
    changed = Reservation.objects.filter(pk=reservation.pk, status=Reservation.Status.ACTIVE).update(
        status=Reservation.Status.CANCELLED, cancel_reason=reason, cancelled_at=now
    )
    if not changed:
        raise errors.ReservationNotActive()
    if reservation.user is not None:  # a walk-in guest has no account and no email
        email_queue(
            kind="visit_cancelled",
            to=reservation.user.email,
            user=reservation.user,
            context={"reservation_id": reservation.pk},
        )
    quota.quota_release(session_id=reservation.session_id, places=reservation.party_size)
    reservation.status = Reservation.Status.CANCELLED
    reservation.cancel_reason = reason
    reservation.cancelled_at = now
    return reservation


def reservation_reschedule(*, reservation_id: int, user, new_session_id: int) -> Reservation:
    """Move a reservation to another session, atomically.

    The old place is released only if the new one is obtained: both counter changes
    happen in one transaction (in session-id order, so two opposite moves cannot
    deadlock), and a full new session rolls everything back. The new reservation gets
    a new code; the old one is cancelled as RESCHEDULED. Asking again for a move already
    made returns the new reservation (idempotent).

    Raises Reservation.DoesNotExist, ReservationNotActive, SessionStarted, SameSession,
    SessionNotFound, BookingClosed, NotYetOpen, AlreadyBooked, QuotaFull, VisitsBusy.
    """
    with busy_guard():
        return _reservation_reschedule(reservation_id=reservation_id, user=user, new_session_id=new_session_id)


@transaction.atomic
def _reservation_reschedule(*, reservation_id, user, new_session_id) -> Reservation:
    now = timezone.now()
    member_status = _user_lock(user)
    old = Reservation.objects.select_related("session").prefetch_related("children").get(pk=reservation_id, user=user)
    if old.status != Reservation.Status.ACTIVE:
        moved = Reservation.objects.filter(rescheduled_from=old, session_id=new_session_id).first()
        if moved is not None:
            return moved
        raise errors.ReservationNotActive()
    if not reservation_can_change(reservation=old, now=now):
        raise errors.SessionStarted()
    if old.session_id == new_session_id:
        raise errors.SameSession()
    new_session = Session.objects.filter(pk=new_session_id).first()
    if new_session is None:
        raise errors.SessionNotFound()
    _session_bookable_check(new_session, now=now)
    if Reservation.objects.filter(user=user, session=new_session, status=Reservation.Status.ACTIVE).exists():
        raise errors.AlreadyBooked()
    if new_session.places_left < old.party_size:
        raise errors.QuotaFull()
    # Conditional, like a cancel: a concurrent cancel of the same reservation wins once.
    released = Reservation.objects.filter(pk=old.pk, status=Reservation.Status.ACTIVE).update(
        status=Reservation.Status.CANCELLED, cancel_reason=Reservation.CancelReason.RESCHEDULED, cancelled_at=now
    )
    if not released:
        raise errors.ReservationNotActive()
    children = [Child(name=c.name, age=c.age) for c in old.children.all()]
    new = _insert(
        user=user,
        session=new_session,
        category=_category(member_status),
        children=children,
        token=None,
        rescheduled_from=old,
    )
    email_queue(kind="visit_confirmed", to=user.email, user=user, context={"reservation_id": new.pk})
    # Both counters last, in id order (no deadlock between opposite moves); a full
    # new session raises and the whole transaction, the release included, rolls back.
    for session_id in sorted((old.session_id, new_session.pk)):
        if session_id == old.session_id:
            quota.quota_release(session_id=old.session_id, places=old.party_size)
        elif not quota.quota_take(session_id=new_session.pk, places=old.party_size):
            raise _full_or_closed(new_session.pk)
    return new


def reminders_send(*, now=None) -> int:
    """Queue the reminder for every active reservation of tomorrow's sessions, once each.

    One transaction: the due reservations are locked, marked and their emails written in one
    INSERT. A second run (or a second beat) waits for the lock, then finds them marked and
    sends nothing twice. Returns how many were queued.
    """
    now = now or timezone.now()
    tomorrow = local_today(now) + datetime.timedelta(days=1)
    with transaction.atomic():
        due = list(
            Reservation.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(
                status=Reservation.Status.ACTIVE,
                session__date=tomorrow,
                reminder_sent_at__isnull=True,
                user__isnull=False,
            )
        )
        Reservation.objects.filter(pk__in=[r.pk for r in due]).update(reminder_sent_at=now)
        email_queue_many(
            kind="visit_reminder",
            emails=[(r.user.email, r.user, {"reservation_id": r.pk}) for r in due],
        )
    return len(due)
