"""No-shows and booking blocks (docs/operations.md#no-show).

After a session's last check-in time, its active reservations not checked in become
``NO_SHOW`` (beat job ``visits-mark-noshows``). ``VISITS_NOSHOW_LIMIT`` no-shows within
``VISITS_NOSHOW_WINDOW_DAYS`` days block new bookings for ``VISITS_NOSHOW_BLOCK_DAYS`` days.
No-shows counted for one block do not count again for the next one. Staff may lift a block
(recorded).
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .. import desk_errors
from ..models import DeskEvent, Reservation, VisitBlock
from .schedule import local_today

logger = logging.getLogger(__name__)

# Only sessions whose last check-in passed this recently: the job runs every 10 minutes, and
# reservations made before the desk existed (never checked in) must not all turn into no-shows.
NOSHOW_LOOKBACK = datetime.timedelta(days=1)


def noshows_mark(*, now: datetime.datetime | None = None) -> int:
    """Mark expected reservations of sessions past their last check-in as no-shows; block
    visitors who reached the limit. Safe to run again (conditional UPDATE). Returns how many."""
    now = now or timezone.now()
    due = Reservation.objects.filter(
        status=Reservation.Status.ACTIVE,
        attendance=Reservation.Attendance.EXPECTED,
        session__last_checkin_at__lt=now,
        session__last_checkin_at__gte=now - NOSHOW_LOOKBACK,
    )
    rows = list(due.values_list("pk", "user_id"))
    if not rows:
        return 0
    # Conditional: a party checked in (late, with override) since the read stays checked in.
    marked = Reservation.objects.filter(
        pk__in=[pk for pk, _user in rows], status=Reservation.Status.ACTIVE, attendance=Reservation.Attendance.EXPECTED
    ).update(attendance=Reservation.Attendance.NO_SHOW)
    for user_id in sorted({user_id for _pk, user_id in rows if user_id is not None}):
        block_evaluate(user_id=user_id, now=now)
    logger.info("No-shows marked: %s", marked)
    return marked


@transaction.atomic
def block_evaluate(*, user_id: int, now: datetime.datetime | None = None) -> VisitBlock | None:
    """Block ``user_id`` if the no-shows since their last block reached the limit. Returns the new block."""
    now = now or timezone.now()
    today = local_today(now)
    # Two runs of the job at once must not create two blocks.
    get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()
    latest = VisitBlock.objects.filter(user_id=user_id).order_by("-created_at").first()
    if latest is not None and latest.is_active_on(today):
        return None
    since = today - datetime.timedelta(days=settings.VISITS_NOSHOW_WINDOW_DAYS - 1)
    noshows = Reservation.objects.filter(
        user_id=user_id,
        status=Reservation.Status.ACTIVE,
        attendance=Reservation.Attendance.NO_SHOW,
        session__date__gte=since,
    )
    if latest is not None:
        noshows = noshows.filter(session__last_checkin_at__gt=latest.created_at)
    count = noshows.count()
    if count < settings.VISITS_NOSHOW_LIMIT:
        return None
    block = VisitBlock.objects.create(
        user_id=user_id,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=settings.VISITS_NOSHOW_BLOCK_DAYS - 1),
        noshow_count=count,
        created_at=now,
    )
    logger.info("Visit block %s for user %s (%s no-shows)", block.pk, user_id, count)
    return block


def block_active(*, user, today: datetime.date | None = None) -> VisitBlock | None:
    """The block in force for ``user`` today, or None."""
    if user is None or not getattr(user, "is_authenticated", True):
        return None
    today = today or local_today()
    return (
        VisitBlock.objects.filter(user=user, lifted_at__isnull=True, starts_on__lte=today, ends_on__gte=today)
        .order_by("-ends_on")
        .first()
    )


def block_check(*, user, now: datetime.datetime | None = None) -> None:
    """Raise BookingBlocked (with the dates) if ``user`` may not book now."""
    block = block_active(user=user, today=local_today(now or timezone.now()))
    if block is not None:
        raise desk_errors.BookingBlocked(block=block)


@transaction.atomic
def block_lift(*, block_id: int, staff, reason: str, now: datetime.datetime | None = None) -> VisitBlock:
    """Lift a block (recorded with who, when and why). Raises VisitBlock.DoesNotExist, BlockNotActive."""
    now = now or timezone.now()
    block = VisitBlock.objects.get(pk=block_id)
    # Conditional: two staff lifting at once record one lift.
    lifted = VisitBlock.objects.filter(pk=block_id, lifted_at__isnull=True).update(
        lifted_at=now, lifted_by=staff, lift_reason=reason.strip()[:200]
    )
    if not lifted or block.ends_on < local_today(now):
        raise desk_errors.BlockNotActive()
    DeskEvent.objects.create(
        action=DeskEvent.Action.BLOCK_LIFTED, block=block, staff=staff, note=reason.strip()[:300], created_at=now
    )
    block.refresh_from_db()
    return block
