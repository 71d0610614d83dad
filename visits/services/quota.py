"""The quota: one conditional UPDATE per change of ``Session.booked``, backed by a CHECK.

Why a counter and not a lock + recount: see docs/quota.md. Every path that gives
or takes places (booking, cancelling, rescheduling, closing, capacity change)
calls these functions, always as the *last* statement of its transaction so the
session row is locked only for the instant before COMMIT.
"""

import contextlib
import logging
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import OperationalError, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from ..errors import VisitsBusy
from ..models import GroupVisit, Reservation, Session

logger = logging.getLogger(__name__)

# PostgreSQL: lock_not_available, query_canceled (statement_timeout), deadlock, serialization.
BUSY_PGCODES = {"55P03", "57014", "40P01", "40001"}


def quota_take(*, session_id: int, places: int) -> bool:
    """Take ``places`` in an open session. True if taken; False if full or closed.

    One statement: PostgreSQL re-checks the WHERE on the newest row version after
    waiting for a concurrent writer, so two bookings can never both see the last place.
    """
    return bool(
        Session.objects.filter(pk=session_id, status=Session.Status.OPEN, booked__lte=F("capacity") - places).update(
            booked=F("booked") + places
        )
    )


def quota_release(*, session_id: int, places: int) -> None:
    """Give ``places`` back (a cancellation); the CHECK refuses to go below zero."""
    Session.objects.filter(pk=session_id).update(booked=F("booked") - places)
    quota_changed(session_id=session_id)


def quota_changed(*, session_id: int) -> None:
    """The session may no longer be simply full (places released, capacity raised, session
    closed): at commit, stop answering "penuh" from the cache (visits.selectors.session_full_for).

    Besides deleting the entry, a new *changed* mark: a "penuh" that was read before this
    commit but written to the cache just after it carries the old mark and is ignored.
    """

    def forget():
        cache.set(changed_cache_key(session_id), uuid.uuid4().hex, CHANGED_MARK_SECONDS)
        cache.delete(full_cache_key(session_id))

    transaction.on_commit(forget)


CHANGED_MARK_SECONDS = 60 * 60 * 24 * 8  # longer than any session stays bookable


def full_cache_key(session_id: int) -> str:
    """Where the booking view remembers that a session is full (VISITS_FULL_CACHE_SECONDS)."""
    return f"visits:session-full:{session_id}"


def changed_cache_key(session_id: int) -> str:
    """Changes each time the session may no longer be full (``quota_changed``)."""
    return f"visits:session-changed:{session_id}"


@contextlib.contextmanager
def busy_guard():
    """Turn a lock/statement timeout (or a deadlock victim) into ``VisitsBusy``: "sedang ramai"."""
    try:
        yield
    except OperationalError as exc:
        cause = exc.__cause__
        pgcode = getattr(cause, "pgcode", None)
        if pgcode in BUSY_PGCODES or "locked" in str(exc).lower():
            logger.warning("Visits busy (%s): %s", pgcode or "sqlite", type(cause or exc).__name__)
            raise VisitsBusy() from exc
        raise


@dataclass(frozen=True)
class QuotaDifference:
    session_id: int
    session: str
    stored: int
    actual: int


def group_places(*, status: str | None = None):
    """For a ``Session`` queryset: the places its group visits hold (of ``status`` only, if
    given), 0 if none. A subquery: a second Sum over another join would multiply the rows."""
    groups = GroupVisit.objects.filter(session=OuterRef("pk"))
    if status is not None:
        groups = groups.filter(status=status)
    held = groups.order_by().values("session").annotate(total=Sum("places_held")).values("total")
    return Coalesce(Subquery(held), 0)


def quota_check(*, sessions=None) -> list[QuotaDifference]:
    """Compare every session's stored ``booked`` with its active reservations plus the places
    group visits hold (one query).

    Logs an error per difference and returns them; it does not repair (a difference
    means a bug or a manual database edit that a person should look at).
    """
    queryset = Session.objects.all() if sessions is None else sessions
    rows = (
        queryset.annotate(
            actual=Coalesce(
                Sum("reservations__party_size", filter=Q(reservations__status=Reservation.Status.ACTIVE)), 0
            )
            + group_places()
        )
        .exclude(booked=F("actual"))
        .order_by("starts_at")
    )
    differences = [
        QuotaDifference(session_id=row.pk, session=str(row), stored=row.booked, actual=row.actual) for row in rows
    ]
    for diff in differences:
        logger.error(
            "Quota mismatch on session %s (%s): stored booked=%s, active reservations hold %s",
            diff.session_id,
            diff.session,
            diff.stored,
            diff.actual,
        )
    return differences
