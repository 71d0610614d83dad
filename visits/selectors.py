"""Reads for the visits pages and the JSON endpoint. A fixed number of queries each,
whatever the number of reservations: places left are the stored counter."""

import datetime
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Closure, GroupVisit, Reservation, ReservationChild, Session, WeekdaySchedule
from .services.quota import changed_cache_key, full_cache_key, group_places
from .services.reservations import code_normalize, reservation_can_change
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


@dataclass
class Week:
    """The availability page: the days, and what its cached HTML depends on (``fragment_key``)."""

    days: list[DayAvailability]
    version: str
    mine: frozenset[int]

    @property
    def fragment_key(self) -> str:
        # Everything the day list shows depends on the shared data (``version``) and on which
        # sessions this visitor booked; never on who the visitor is.
        return f"{self.version}:{','.join(map(str, sorted(self.mine))) or '-'}"


def availability_week(*, user=None, now: datetime.datetime | None = None) -> list[DayAvailability]:
    """The booking window day by day: closures, sessions, places left, the visitor's own bookings.

    Four queries at most, whatever the number of sessions and reservations.
    """
    now = now or timezone.now()
    days = booking_window(today=timezone.localdate(now))
    shared = _week_shared(days)
    return _week_days(days, shared, mine=_sessions_booked_by(user, shared["sessions"]), now=now)


def availability_week_cached(*, user=None, now: datetime.datetime | None = None) -> Week:
    """``availability_week`` for the page everyone refreshes during a rush.

    The shared part (closures, open weekdays, sessions with places left: three queries) is
    cached for ``VISITS_AVAILABILITY_CACHE_SECONDS``; the visitor's own bookings are read
    every time (one query when logged in, none otherwise). Places left may be that many
    seconds old; booking itself always checks the database.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = booking_window(today=today)
    shared = cache.get_or_set(
        f"visits:availability:{today.isoformat()}",
        lambda: _week_shared(days),
        settings.VISITS_AVAILABILITY_CACHE_SECONDS,
    )
    mine = _sessions_booked_by(user, shared["sessions"])
    return Week(days=_week_days(days, shared, mine=mine, now=now), version=shared["version"], mine=frozenset(mine))


def _week_shared(days) -> dict:
    return {
        "version": uuid.uuid4().hex,
        "closures": dict(Closure.objects.filter(date__in=days).values_list("date", "reason")),
        "open_weekdays": dict(WeekdaySchedule.objects.values_list("weekday", "is_open")),
        "sessions": list(Session.objects.filter(date__in=days).order_by("starts_at")),
    }


def _sessions_booked_by(user, sessions: list[Session]) -> set[int]:
    """Which of the window's sessions the visitor holds a place in ("Sudah dipesan").

    Every signed-in refresh of the availability page runs this during a rush. Plain SQL on
    the indexed ``user_id``: the ORM spent twice the round trip just building this query
    (docs/performance.md). Names come from the model, values go as parameters.
    """
    if user is None or not user.is_authenticated or not sessions:
        return set()
    opts = Reservation._meta
    columns = {name: opts.get_field(name).column for name in ("user", "session", "status")}
    placeholders = ", ".join(["%s"] * len(sessions))
    sql = (
        f'SELECT "{columns["session"]}" FROM "{opts.db_table}" '  # noqa: S608 - names from the model
        f'WHERE "{columns["user"]}" = %s AND "{columns["status"]}" = %s AND "{columns["session"]}" IN ({placeholders})'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, Reservation.Status.ACTIVE.value, *(s.pk for s in sessions)])
        return {session_id for (session_id,) in cursor.fetchall()}


def _week_days(days, shared: dict, *, mine: set[int], now) -> list[DayAvailability]:
    closures, open_weekdays, sessions = shared["closures"], shared["open_weekdays"], shared["sessions"]
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
        .annotate(
            checked_in=Coalesce(Sum("reservations__party_size", filter=checked_in), 0)
            # Rombongan checked in count the number present.
            + group_places(status=GroupVisit.Status.CHECKED_IN)
        )
        .order_by("starts_at")
    ]


def session_get(*, session_id: int) -> Session | None:
    return Session.objects.filter(pk=session_id).first()


@dataclass(frozen=True)
class FullSession:
    """What the booking view remembers after the database said "penuh" (until places come back)."""

    session: Session
    # Who held a place then: their resubmits (a double click on the last place) still reach
    # the service, which answers with their own booking.
    holders: frozenset[int]
    # Keys the shared "penuh" page (jaklitera.pagecache): a new one each time it is remembered.
    version: str
    # The session's *changed* mark when it was read (quota_changed): a different mark now means
    # places came back after this was read, though it reached the cache after they did.
    changed: str | None = None


def session_full_for(*, session_id: int, user, now: datetime.datetime | None = None) -> FullSession | None:
    """The cheap "penuh" of a rush, without a query: the session if the database said it
    was full and this visitor holds no place in it; None otherwise (then
    the booking service decides).

    Every release of places and every capacity change clears it when it commits
    (``quota_changed``); otherwise it lasts ``VISITS_FULL_CACHE_SECONDS``.
    The cache only ever says *no*: places are given only by the conditional UPDATE.
    """
    keys = full_cache_key(session_id), changed_cache_key(session_id)
    entries = cache.get_many(keys)  # one round trip
    full = entries.get(keys[0])
    if full is None or full.changed != entries.get(keys[1]):
        return None
    if user.pk in full.holders or full.session.state(now) != Session.State.FULL:
        return None
    return full


def session_full_remember(*, session_id: int) -> Session | None:
    """After the database said "penuh": the session as it is now, for the page, and if it is
    full, remembered with its holders so the next visitors are answered from the cache (above).

    One query (the holders' reservations with their session; a second one only if nobody holds
    a place), once per session until places come back. Nobody can join the holders while the
    session is full; whatever gives places back deletes the entry when it commits.
    """
    changed = cache.get(changed_cache_key(session_id))  # before the read: see FullSession.changed
    held = list(
        Reservation.objects.filter(session_id=session_id, status=Reservation.Status.ACTIVE)
        .select_related("session")
        .only("user_id", "session")
    )
    session = held[0].session if held else session_get(session_id=session_id)
    if session is not None and session.state() == Session.State.FULL:
        holders = frozenset(r.user_id for r in held)
        full = FullSession(session=session, holders=holders, version=uuid.uuid4().hex, changed=changed)
        cache.set(full_cache_key(session_id), full, settings.VISITS_FULL_CACHE_SECONDS)
    return session


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
        reservation.can_change = reservation_can_change(reservation=reservation, now=now)
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


def visitor_history_export(*, user) -> dict:
    """The person's visits and group requests, for the member's own data download (UU PDP)."""

    def _at(value):
        return value.isoformat() if value else None

    reservations = (
        Reservation.objects.filter(user=user)
        .select_related("session")
        .prefetch_related("children")
        .order_by("session__starts_at", "pk")
    )
    groups = GroupVisit.objects.filter(requester=user).select_related("session").order_by("session__starts_at", "pk")
    return {
        "reservations": [
            {
                "code": reservation.code,
                "session_starts_at": _at(reservation.session.starts_at),
                "session_ends_at": _at(reservation.session.ends_at),
                "category": reservation.category,
                "party_size": reservation.party_size,
                "children": [{"name": child.name, "age": child.age} for child in reservation.children.all()],
                "status": reservation.status,
                "cancel_reason": reservation.cancel_reason,
                "attendance": reservation.attendance,
                "checked_in_at": _at(reservation.checked_in_at),
                "walk_in": reservation.is_walk_in,
                "created_at": _at(reservation.created_at),
                "cancelled_at": _at(reservation.cancelled_at),
            }
            for reservation in reservations
        ],
        "group_requests": [
            {
                "institution_name": group.institution_name,
                "institution_type": group.institution_type,
                "contact_name": group.contact_name,
                "contact_phone": group.contact_phone,
                "participants": group.participants,
                "children": group.children,
                "purpose": group.purpose,
                "session_starts_at": _at(group.session.starts_at),
                "status": group.status,
                "code": group.code,
                "present": group.present,
                "created_at": _at(group.created_at),
                "decided_at": _at(group.decided_at),
                "reject_reason": group.reject_reason,
            }
            for group in groups
        ],
    }
