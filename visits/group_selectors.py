"""Reads for the group visit (Rombongan) pages, the admin and the staff day list."""

import datetime

from django.db.models import F, Q
from django.utils import timezone

from .models import GroupVisit, Session
from .services.groups import staff_can_view_letter
from .services.schedule import booking_window


def group_session_choices(*, now: datetime.datetime | None = None) -> list[Session]:
    """Sessions a group can ask for: open, in the booking window, not started, not full."""
    now = now or timezone.now()
    return list(
        Session.objects.filter(
            date__in=booking_window(today=timezone.localdate(now)),
            status=Session.Status.OPEN,
            starts_at__gt=now,
            booked__lt=F("capacity"),
        ).order_by("starts_at")
    )


def group_visits_for_requester(*, user) -> list[GroupVisit]:
    """Rombongan Saya: the person's requests, latest visit date first (one query)."""
    return list(GroupVisit.objects.filter(requester=user).select_related("session").order_by("-session__starts_at"))


def group_visit_get_for_requester(*, user, group_visit_id: int) -> GroupVisit | None:
    if not user.is_authenticated:
        return None
    return (
        GroupVisit.objects.filter(pk=group_visit_id, requester=user)
        .select_related("session", "alternative_session")
        .first()
    )


DAY_STATUSES = (GroupVisit.Status.APPROVED, GroupVisit.Status.CHECKED_IN)


def group_visits_for_day(
    *, date: datetime.date, session_id: int | None = None, statuses=DAY_STATUSES, search: Q | None = None
) -> list[GroupVisit]:
    """Approved and checked-in groups of a day (or ``statuses``; optionally one session and a
    search condition), one row each with its size, for the staff day list. One query."""
    queryset = GroupVisit.objects.filter(session__date=date, status__in=list(statuses), code__isnull=False)
    if session_id is not None:
        queryset = queryset.filter(session_id=session_id)
    if search is not None:
        queryset = queryset.filter(search)
    return list(queryset.select_related("session").order_by("session__starts_at", "institution_name", "pk"))


def group_letter_get_viewable(*, group_visit_id: int, user) -> GroupVisit | None:
    """The request if ``user`` may open its letter: the requester, or active staff holding
    ``visits.view_group_letter`` (is_staff required, as for member documents). Else None (404)."""
    if not (user.is_authenticated and user.is_active):
        return None
    group_visit = GroupVisit.objects.filter(pk=group_visit_id).first()
    if group_visit is None or not group_visit.letter:
        return None
    if group_visit.requester_id == user.pk or staff_can_view_letter(user):
        return group_visit
    return None
