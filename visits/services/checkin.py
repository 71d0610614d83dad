"""Check-in at the desk: a scanned or typed reservation code, or a member card number.

Rules (docs/operations.md): check-in is open from ``VISITS_CHECKIN_OPENS_MINUTES_BEFORE``
minutes before a session starts until its last check-in time. Outside that window (or for
another session of the day) staff may override; the override is recorded. A reservation
is checked in by one conditional UPDATE (``EXPECTED``/``NO_SHOW`` → ``CHECKED_IN``), so two
desks scanning the same code at once check it in once: the second gets "sudah check-in".
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from members.models import Member

from .. import desk_errors as errors
from .. import errors as visit_errors
from ..models import DeskEvent, GroupVisit, Reservation, Session
from .quota import busy_guard, quota_release
from .reservations import code_normalize
from .schedule import local_today

logger = logging.getLogger(__name__)

RESERVATION_RELATED = ("session", "user", "user__member")


def checkin_window(session: Session) -> tuple[datetime.datetime, datetime.datetime]:
    """When check-in of ``session`` opens and closes (its last check-in time)."""
    opens = session.starts_at - datetime.timedelta(minutes=settings.VISITS_CHECKIN_OPENS_MINUTES_BEFORE)
    return opens, session.last_checkin_at


def checkin_is_open(session: Session, *, now: datetime.datetime) -> bool:
    opens, closes = checkin_window(session)
    return opens <= now <= closes


def sessions_checking_in(*, now: datetime.datetime | None = None) -> list[Session]:
    """Today's open sessions whose check-in window contains ``now``, earliest first."""
    now = now or timezone.now()
    sessions = Session.objects.filter(date=local_today(now), status=Session.Status.OPEN).order_by("starts_at")
    return [session for session in sessions if checkin_is_open(session, now=now)]


def session_current(*, now: datetime.datetime | None = None) -> Session | None:
    """Today's open session whose check-in window contains ``now`` (the earliest if windows overlap)."""
    return next(iter(sessions_checking_in(now=now)), None)


def _resolve(text: str, *, now: datetime.datetime) -> Reservation:
    """A member card number → that member's reservation for the current session (or today's best
    match, so the rules can say why not); anything else is read as a reservation code."""
    raw = "".join(text.split()).upper()
    member = Member.objects.filter(member_number=raw).only("pk", "member_number").first()
    if member is not None:
        today = list(
            Reservation.objects.filter(user_id=member.pk, session__date=local_today(now))
            .select_related(*RESERVATION_RELATED)
            .order_by("session__starts_at")
        )
        if not today:
            raise errors.MemberHasNoReservation(member_number=member.member_number)

        def rank(r: Reservation):
            # Active before cancelled; the session checking in now first; then the earliest.
            return (not r.is_active, not checkin_is_open(r.session, now=now), r.session.starts_at)

        return min(today, key=rank)
    code = code_normalize(text)
    reservation = Reservation.objects.filter(code=code).select_related(*RESERVATION_RELATED).first() if code else None
    if reservation is None:
        raise errors.NotFound()
    return reservation


def window_objections(session: Session, *, now: datetime.datetime, **subject) -> list[errors.CheckinError]:
    """The overridable objections to checking in for ``session`` now (empty = inside its window).
    ``subject`` is ``reservation=`` or ``group_visit=`` (Rombongan use the same window)."""
    opens, closes = checkin_window(session)
    if opens <= now <= closes:
        return []
    current = session_current(now=now)
    if current is not None and current.pk != session.pk:
        return [errors.WrongSession(opens_at=opens, **subject)]
    if now < opens:
        return [errors.TooEarly(opens_at=opens, **subject)]
    return [errors.TooLate(**subject)]


def _rules(reservation: Reservation, *, now: datetime.datetime) -> list[errors.CheckinError]:
    """Raise what forbids this check-in outright; return the overridable objections (empty = fine)."""
    session = reservation.session
    if not reservation.is_active:
        raise errors.ReservationCancelled(reservation=reservation)
    if session.date != local_today(now):
        raise errors.WrongDay(reservation=reservation)
    if reservation.is_checked_in:
        raise errors.AlreadyCheckedIn(reservation=reservation)
    return window_objections(session, now=now, reservation=reservation)


def _claim(*, reservation_id: int, now: datetime.datetime) -> bool:
    """The guard: one conditional UPDATE. 1 row = this desk checked the party in; 0 = someone was first."""
    return bool(
        Reservation.objects.filter(
            pk=reservation_id,
            status=Reservation.Status.ACTIVE,
            attendance__in=[Reservation.Attendance.EXPECTED, Reservation.Attendance.NO_SHOW],
        ).update(attendance=Reservation.Attendance.CHECKED_IN, checked_in_at=now)
    )


def checkin_scan(
    *, staff, text: str, override: bool = False, note: str = "", present: int | None = None, now=None
) -> Reservation | GroupVisit:
    """Check in the party of a scanned/typed reservation code or member card number, or a
    Rombongan by its group code (``present``: how many of the group came).

    ``override`` lets staff check in outside the window or for another session of the day;
    the objections overridden and ``note`` are recorded in a DeskEvent.
    Returns the reservation (checked in), or the GroupVisit for a group code. A group code
    without ``present`` raises GroupPresentNeeded (the desk asks how many came). Raises NotFound,
    MemberHasNoReservation, ReservationCancelled, WrongDay, AlreadyCheckedIn, WrongSession,
    TooEarly, TooLate, GroupCancelled, GroupPresentNeeded, VisitsBusy.
    """
    now = now or timezone.now()
    if not (text or "").strip():
        raise errors.NotFound()
    try:
        reservation = _resolve(text, now=now)
    except errors.NotFound:
        # Group and reservation codes share one space (visits.services.groups._code_unused).
        code = code_normalize(text)
        group_visit = GroupVisit.objects.filter(code=code).select_related("session").first() if code else None
        if group_visit is None:
            raise
        return _group_scan(staff=staff, group_visit=group_visit, present=present, override=override, note=note, now=now)
    objections = _rules(reservation, now=now)
    if objections and not override:
        raise objections[0]
    with busy_guard(), transaction.atomic():
        if not _claim(reservation_id=reservation.pk, now=now):
            fresh = Reservation.objects.select_related(*RESERVATION_RELATED).get(pk=reservation.pk)
            if not fresh.is_active:
                raise errors.ReservationCancelled(reservation=fresh)
            raise errors.AlreadyCheckedIn(reservation=fresh)
        desk_checkin_record(objections=objections, note=note, staff=staff, now=now, reservation=reservation)
    reservation.attendance = Reservation.Attendance.CHECKED_IN
    reservation.checked_in_at = now
    logger.info("Check-in %s by staff %s%s", reservation.pk, staff.pk, " (override)" if objections else "")
    return reservation


def desk_checkin_record(*, objections, note: str, staff, now, **subject) -> str:
    """The desk's log of a check-in (``reservation=`` or ``group_visit=``): an override when
    rules were overridden, noting them and the staff's note. Returns the note written."""
    recorded = "; ".join([str(o) for o in objections] + ([note.strip()] if note.strip() else []))
    DeskEvent.objects.create(
        action=DeskEvent.Action.OVERRIDE if objections else DeskEvent.Action.CHECK_IN,
        staff=staff,
        note=recorded[:300],
        created_at=now,
        **subject,
    )
    return recorded


def _group_scan(*, staff, group_visit: GroupVisit, present, override, note, now) -> GroupVisit:
    from .groups import group_checkin, group_checkin_rules

    # The rules first (read only), so the desk can say "sudah check-in" or offer the override
    # before asking how many came; group_checkin checks them again under its row lock.
    objections = group_checkin_rules(group_visit, session=group_visit.session, now=now)
    if objections and not override:
        raise objections[0]
    if present is None or not (1 <= present <= group_visit.places_held):
        message = None
        if present is not None:
            message = str(visit_errors.GroupPresentInvalid(group_visit.places_held))
        raise errors.GroupPresentNeeded(message, group_visit=group_visit, overridable=bool(objections))
    return group_checkin(
        request_code=group_visit.code, present=present, staff=staff, override=override, note=note, now=now
    )


def checkin_undo(*, staff, reservation_id: int, note: str = "", now=None) -> Reservation:
    """Undo a check-in made by mistake (recorded). A walk-in exists only because it came in,
    so undoing it cancels the walk-in and gives its places back.

    Raises Reservation.DoesNotExist, NotCheckedIn, VisitsBusy.
    """
    now = now or timezone.now()
    with busy_guard(), transaction.atomic():
        reservation = Reservation.objects.select_related(*RESERVATION_RELATED).get(pk=reservation_id)
        checked_in = Reservation.objects.filter(
            pk=reservation_id, status=Reservation.Status.ACTIVE, attendance=Reservation.Attendance.CHECKED_IN
        )
        if reservation.is_walk_in:
            changed = checked_in.update(
                status=Reservation.Status.CANCELLED,
                cancel_reason=Reservation.CancelReason.STAFF,
                cancelled_at=now,
                attendance=Reservation.Attendance.EXPECTED,
                checked_in_at=None,
            )
        else:
            changed = checked_in.update(attendance=Reservation.Attendance.EXPECTED, checked_in_at=None)
        if not changed:
            raise errors.NotCheckedIn()
        DeskEvent.objects.create(
            action=DeskEvent.Action.UNDO, reservation=reservation, staff=staff, note=note.strip()[:300], created_at=now
        )
        if reservation.is_walk_in:
            # Last statement, like every quota change (docs/quota.md).
            quota_release(session_id=reservation.session_id, places=reservation.party_size)
    reservation.refresh_from_db()
    return reservation
