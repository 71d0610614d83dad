"""Reads for the visits pages and the JSON endpoint. A fixed number of queries each,
whatever the number of reservations: places left are the stored counter."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Closure, Reservation, ReservationChild, Session, WeekdaySchedule
from .services.reservations import code_normalize
from .services.schedule import booking_window


@dataclass
class SessionRow:
    session: Session
    state: str
    mine: bool = False

    @property
    def bookable(self) -> bool:
        return self.state == Session.State.OPEN and not self.mine


@dataclass
class DayAvailability:
    date: datetime.date
    closed_reason: str = ""
    closed_weekly: bool = False
    sessions: list[SessionRow] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return bool(self.closed_reason) or (self.closed_weekly and not self.sessions)


def availability_week(*, user=None, now: datetime.datetime | None = None) -> list[DayAvailability]:
    """The booking window day by day: closures, sessions, places left, the visitor's own bookings.

    Four queries at most, whatever the number of sessions and reservations.
    """
    now = now or timezone.now()
    days = booking_window(today=timezone.localdate(now))
    closures = dict(Closure.objects.filter(date__in=days).values_list("date", "reason"))
    open_weekdays = dict(WeekdaySchedule.objects.values_list("weekday", "is_open"))
    sessions = list(Session.objects.filter(date__in=days).order_by("starts_at"))
    mine: set[int] = set()
    if user is not None and user.is_authenticated:
        mine = set(
            Reservation.objects.filter(user=user, status=Reservation.Status.ACTIVE, session__date__in=days).values_list(
                "session_id", flat=True
            )
        )
    by_day = {
        day: DayAvailability(
            date=day, closed_reason=closures.get(day, ""), closed_weekly=not open_weekdays.get(day.weekday(), True)
        )
        for day in days
    }
    for session in sessions:
        day = by_day[session.date]
        if day.closed_reason and session.status == Session.Status.CLOSED:
            continue
        day.sessions.append(SessionRow(session=session, state=session.state(now), mine=session.pk in mine))
    return list(by_day.values())


def sessions_for_date(*, date: datetime.date, now: datetime.datetime | None = None) -> list[dict]:
    """The JSON of ``GET /api/v1/sessions/?date=``: one query (dates outside the window: empty).

    ``checked_in``: people checked in for the session; ``inside``: the same while the session
    runs (from check-in opening to its end), else 0 — the on-site screens' occupancy.
    """
    now = now or timezone.now()
    if date not in booking_window(today=timezone.localdate(now)):
        return []
    early = datetime.timedelta(minutes=settings.VISITS_CHECKIN_OPENS_MINUTES_BEFORE)
    checked_in = Q(reservations__status=Reservation.Status.ACTIVE, reservations__attendance="CHECKED_IN")
    return [
        {
            "id": s.pk,
            "start": timezone.localtime(s.starts_at).isoformat(),
            "end": timezone.localtime(s.ends_at).isoformat(),
            "last_checkin": timezone.localtime(s.last_checkin_at).isoformat(),
            "capacity": s.capacity,
            "places_left": s.places_left,
            "status": s.state(now),
            "checked_in": s.checked_in,
            "inside": s.checked_in if s.starts_at - early <= now < s.ends_at else 0,
        }
        for s in Session.objects.filter(date=date)
        .annotate(checked_in=Coalesce(Sum("reservations__party_size", filter=checked_in), 0))
        .order_by("starts_at")
    ]


def session_get(*, session_id: int) -> Session | None:
    return Session.objects.filter(pk=session_id).first()


def reservations_for_user(*, user, now: datetime.datetime | None = None) -> dict:
    """Kunjungan Saya: upcoming active visits and the history (past or cancelled). Three queries."""
    now = now or timezone.now()
    reservations = list(
        Reservation.objects.filter(user=user)
        .select_related("session")
        .prefetch_related(Prefetch("children", queryset=ReservationChild.objects.order_by("pk")))
        .order_by("session__starts_at")
    )
    upcoming = [r for r in reservations if r.is_active and r.session.ends_at > now]
    history = [r for r in reversed(reservations) if r not in upcoming][:30]
    for reservation in upcoming:
        reservation.can_change = now < reservation.session.starts_at
    return {"upcoming": upcoming, "history": history}


def reservation_get_for_user(*, user, code: str) -> Reservation | None:
    """The reservation with this code if it belongs to ``user`` (None otherwise: the view answers 404)."""
    if not user.is_authenticated:
        return None
    return (
        Reservation.objects.filter(code=code_normalize(code), user=user)
        .select_related("session", "rescheduled_to")
        .prefetch_related("children")
        .first()
    )


def reschedule_choices(*, reservation: Reservation, now: datetime.datetime | None = None) -> list[DayAvailability]:
    """The week's sessions a reservation could move to (bookable ones only keep a choice)."""
    return availability_week(user=reservation.user, now=now)
