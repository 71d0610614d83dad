"""Schedule → sessions, closures, and staff changes to one session (capacity, close)."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.utils import timezone

from jaklitera.mail import email_queue_many

from ..errors import CapacityBelowTaken, InvalidCapacity, SessionNotFound
from ..models import Closure, GroupVisit, Reservation, Session, WeekdaySchedule
from .quota import busy_guard, quota_changed

logger = logging.getLogger(__name__)


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localdate(now or timezone.now())


def at_local(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """An aware datetime of ``time`` WIB on ``day``."""
    return timezone.make_aware(datetime.datetime.combine(day, time))


def booking_window(*, today: datetime.date | None = None) -> list[datetime.date]:
    """The dates that can be booked: today and the days after, ``VISITS_BOOKING_WINDOW_DAYS`` in all."""
    today = today or local_today()
    return [today + datetime.timedelta(days=i) for i in range(settings.VISITS_BOOKING_WINDOW_DAYS)]


@dataclass
class GenerateResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0  # sessions off the schedule that hold reservations: never deleted


def sessions_generate(*, today: datetime.date | None = None) -> GenerateResult:
    """Make the sessions of the booking window match the schedule.

    Creates missing sessions; sessions that nobody has ever booked follow the schedule
    (updated or removed); a session with reservations is never deleted or shrunk here.
    Closure dates get no sessions. Safe to run again (management command and daily beat job).
    """
    days = booking_window(today=today)
    result = GenerateResult()
    schedules = {s.weekday: s for s in WeekdaySchedule.objects.prefetch_related("slots")}
    closed = set(Closure.objects.filter(date__in=days).values_list("date", flat=True))
    existing = {
        s.starts_at: s
        for s in Session.objects.filter(date__in=days).annotate(
            has_reservations=Exists(Reservation.objects.filter(session=OuterRef("pk")))
            | Exists(GroupVisit.objects.filter(session=OuterRef("pk")))
        )
    }
    wanted: dict[datetime.datetime, dict] = {}
    for day in days:
        schedule = schedules.get(day.weekday())
        if day in closed or schedule is None or not schedule.is_open:
            continue
        for slot in schedule.slots.all():
            start = at_local(day, slot.starts_at)
            wanted[start] = {
                "date": day,
                "ends_at": at_local(day, slot.ends_at),
                "last_checkin_at": at_local(day, slot.last_checkin_at),
                "capacity": slot.capacity,
            }
    now = timezone.now()
    for start, session in existing.items():
        fields = wanted.get(start)
        if session.has_reservations or session.starts_at <= now:
            result.kept += fields is None
            continue
        if fields is None:
            # Nobody ever booked it (checked again in the DELETE): follow the schedule.
            removed, _ = (
                Session.objects.filter(pk=session.pk, booked=0)
                .exclude(Exists(Reservation.objects.filter(session=OuterRef("pk"))))
                .exclude(Exists(GroupVisit.objects.filter(session=OuterRef("pk"))))
                .delete()
            )
            result.removed += bool(removed)
            continue
        changes = {k: v for k, v in fields.items() if getattr(session, k) != v}
        if changes:
            result.updated += Session.objects.filter(pk=session.pk, booked=0).update(**changes)
    missing = [Session(starts_at=start, **fields) for start, fields in wanted.items() if start not in existing]
    if missing:
        result.created = len(Session.objects.bulk_create(missing, ignore_conflicts=True))
    if result.kept:
        logger.info("%s session(s) off the schedule kept because they hold reservations", result.kept)
    return result


def session_capacity_change(*, session_id: int, capacity: int) -> Session:
    """Set a session's capacity; never below the places already taken.

    Raises InvalidCapacity, CapacityBelowTaken (with the number taken), SessionNotFound, VisitsBusy.
    """
    if capacity < 0:
        raise InvalidCapacity()
    with busy_guard(), transaction.atomic():
        # The same guard as a booking, from the other side: one conditional UPDATE.
        changed = Session.objects.filter(pk=session_id, booked__lte=capacity).update(capacity=capacity)
        session = Session.objects.filter(pk=session_id).first()
        if session is None:
            raise SessionNotFound()
        if not changed:
            raise CapacityBelowTaken(session.booked)
        quota_changed(session_id=session_id)
    return session


def session_close(*, session_id: int, reason: str) -> int:
    """Close a session: every active reservation is cancelled and its visitor emailed.

    Returns how many reservations were cancelled (0 if it was already closed).
    Raises SessionNotFound, VisitsBusy.
    """
    from .groups import group_visits_cancel_for_session

    with busy_guard(), transaction.atomic():
        # Groups first: their lock order is group row → session row (visits/services/groups.py).
        group_visits_cancel_for_session(session_id=session_id, reason=reason)
        session = Session.objects.select_for_update().filter(pk=session_id).first()
        if session is None:
            raise SessionNotFound()
        if session.status == Session.Status.CLOSED:
            return 0
        now = timezone.now()
        session.status = Session.Status.CLOSED
        session.closed_reason = reason
        session.closed_at = now
        session.save(update_fields=["status", "closed_reason", "closed_at"])
        active = Reservation.objects.filter(session=session, status=Reservation.Status.ACTIVE)
        reservations = list(active.select_related("user"))
        places = active.aggregate(total=Sum("party_size"))["total"] or 0
        active.update(
            status=Reservation.Status.CANCELLED,
            cancel_reason=Reservation.CancelReason.SESSION_CLOSED,
            cancelled_at=now,
        )
        # One INSERT for every visitor's email (a walk-in guest has no account and no email):
        # the session row stays locked only for a moment, however many were booked.
        email_queue_many(
            kind="visit_cancelled",
            emails=[(r.user.email, r.user, {"reservation_id": r.pk}) for r in reservations if r.user is not None],
        )
        Session.objects.filter(pk=session.pk).update(booked=F("booked") - places)
        quota_changed(session_id=session.pk)  # a remembered "penuh" must give way to "ditutup"
    logger.info("Session %s closed (%s reservations cancelled)", session_id, len(reservations))
    return len(reservations)


def closure_save(*, closure: Closure) -> int:
    """Save a closure date and close that day's sessions (visitors are emailed).

    Returns how many reservations were cancelled.
    """
    closure.save()
    cancelled = 0
    for session_id in Session.objects.filter(date=closure.date, status=Session.Status.OPEN).values_list(
        "pk", flat=True
    ):
        cancelled += session_close(session_id=session_id, reason=closure.reason)
    # Sessions never booked on that day disappear from the schedule.
    Session.objects.filter(date=closure.date, booked=0).exclude(
        Exists(Reservation.objects.filter(session=OuterRef("pk")))
    ).exclude(Exists(GroupVisit.objects.filter(session=OuterRef("pk")))).delete()
    return cancelled
