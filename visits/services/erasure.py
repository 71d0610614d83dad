"""A visitor closes the account (UU PDP): their visits go with it (members.services.account).

Decision (docs/visits.md#closing-an-account): the reservations and group requests are
**deleted**, not kept detached. A visit history (where and when a person came, with whom,
their children's names, a group's contact person and letter) is personal data; and nothing
needs it afterwards: the quota counter only counts places held now (active reservations and
``GroupVisit.places_held``), the no-show blocks belong to the account and go with it, and the
desk's log (``DeskEvent``) and the staff's letter-access log keep their rows with the link
emptied (SET_NULL). Every row that still holds places gives them back first, with the same
conditional statement as any cancellation, so ``booked`` stays equal to what ``quota_check``
recounts, for past sessions too.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from members.services.documents import files_delete_on_commit

from ..models import GroupVisit, GroupVisitEvent, Reservation
from . import quota

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Forgotten:
    reservations: int
    reservations_cancelled: int
    group_visits: int
    group_visits_cancelled: int
    places_returned: int


def visitor_forget(*, user) -> Forgotten:
    """Cancel the person's active reservations and pending/approved group requests, returning
    their places, then delete every reservation and group request of theirs (events and children
    with them; the request letters' files after commit). No email: the account is going.

    Must run inside the caller's transaction, after the caller locked the user row (as
    ``reservation_create`` and ``group_visit_create`` do first, so no booking can slip in).
    Lock order: group rows, reservation rows, then the session rows (the quota statements
    come last). Returns what was removed.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("visitor_forget must run inside the account closure's transaction")
    places: dict[int, int] = defaultdict(int)
    # Group rows first (group → session, as every group service). Locked, so a staff decision
    # waiting on the row sees it gone; places_held is what the row holds now, whatever its status.
    groups = list(GroupVisit.objects.select_for_update(of=("self",)).filter(requester=user).order_by("pk"))
    groups_cancelled = 0
    for group_visit in groups:
        if group_visit.status in (GroupVisit.Status.PENDING, GroupVisit.Status.APPROVED):
            groups_cancelled += 1
        places[group_visit.session_id] += group_visit.places_held
    # Locking the rows still ACTIVE re-reads them after a concurrent cancel (READ COMMITTED):
    # a place a staff member just returned is not returned twice.
    active = list(
        Reservation.objects.select_for_update(of=("self",))
        .filter(user=user, status=Reservation.Status.ACTIVE)
        .values_list("pk", "session_id", "party_size")
    )
    for _pk, session_id, party_size in active:
        places[session_id] += party_size
    letters = [group_visit.letter.name for group_visit in groups if group_visit.letter]
    # The rows go (the history is personal data). An event is immutable one by one (its delete()
    # refuses); the bulk delete here is the one way out, together with its request.
    GroupVisitEvent.objects.filter(group_visit__in=groups).delete()
    group_count = GroupVisit.objects.filter(pk__in=[g.pk for g in groups]).delete()[1].get("visits.GroupVisit", 0)
    # rescheduled_from points between the person's own rows: SET_NULL, so any order works.
    reservation_count = Reservation.objects.filter(user=user).delete()[1].get("visits.Reservation", 0)
    # Last, in session-id order (no deadlock with another multi-session change): the places return.
    for session_id in sorted(places):
        if places[session_id]:
            quota.quota_release(session_id=session_id, places=places[session_id])
    files_delete_on_commit(letters)
    returned = sum(places.values())
    logger.info(
        "Account %s closed: %s reservation(s) (%s active) and %s group request(s) (%s active) removed, "
        "%s place(s) returned",
        user.pk,
        reservation_count,
        len(active),
        group_count,
        groups_cancelled,
        returned,
    )
    return Forgotten(
        reservations=reservation_count,
        reservations_cancelled=len(active),
        group_visits=group_count,
        group_visits_cancelled=groups_cancelled,
        places_returned=returned,
    )
