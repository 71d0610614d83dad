"""Rombongan: group visit requests (issue 6, docs/operations.md#rombongan).

A request **holds** its places from the session's quota the moment it is submitted,
through the same conditional UPDATE as a booking (``quota.quota_take``, docs/quota.md),
so approving can never overbook. Every later change (move, cancel, expire, reject, a
smaller group at check-in) gives places back with ``quota.quota_release``.

Each transition locks the group row (``SELECT … FOR UPDATE``) and re-checks its status:
of two staff deciding at once, the second waits, sees the first decision and gets
``GroupNotPending``; nothing is emailed twice. The quota statement comes last, so the
session row (the hot row) is locked only for the instant before COMMIT. Lock order is
always group row → session row (``session_close`` cancels a session's groups first).
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jaklitera.mail import email_queue
from jaklitera.roles import staff_has_perms
from jaklitera.uploads import document_clean
from members.services.documents import NewFiles
from members.validators import phone_normalize

from .. import desk_errors, errors
from ..models import Closure, GroupLetterAccess, GroupVisit, GroupVisitEvent, Reservation, Session
from . import quota
from .checkin import desk_checkin_record, window_objections
from .quota import busy_guard
from .reservations import _code_new, code_normalize
from .schedule import local_today

logger = logging.getLogger(__name__)

ACTIVE = (GroupVisit.Status.PENDING, GroupVisit.Status.APPROVED)


# --- helpers -------------------------------------------------------------------------------------


def staff_can_decide(user) -> bool:
    """Active staff with the Rombongan decision permission (Petugas Layanan has it; superusers implicitly)."""
    return staff_has_perms(user, "visits.decide_groupvisit")


def staff_can_view_letter(user) -> bool:
    return staff_has_perms(user, "visits.view_group_letter")


def group_decide_by(*, created_at: datetime.datetime, session: Session) -> datetime.datetime:
    """When an undecided request expires: ``GROUP_VISIT_DECISION_WORKING_DAYS`` working days
    (Mon–Fri, closure dates skipped) after ``created_at`` at the same time of day, and never
    later than the session's start."""
    local = timezone.localtime(created_at)
    day = local.date()
    wanted = settings.GROUP_VISIT_DECISION_WORKING_DAYS
    closed = set(
        Closure.objects.filter(date__gt=day, date__lte=day + datetime.timedelta(days=wanted * 3 + 30)).values_list(
            "date", flat=True
        )
    )
    counted = 0
    while counted < wanted:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            counted += 1
    deadline = timezone.make_aware(datetime.datetime.combine(day, local.time().replace(tzinfo=None)))
    return min(deadline, session.starts_at)


def sessions_with_room(*, places: int, exclude=(), near: Session | None = None, now=None, limit: int = 6):
    """Open sessions, not started yet, with at least ``places`` free, in time order; with ``near``,
    the ``limit`` closest to that session (what a group that wanted it most likely can use)."""
    now = now or timezone.now()
    sessions = list(
        Session.objects.filter(
            status=Session.Status.OPEN,
            starts_at__gt=now,
            booked__lte=F("capacity") - places,
        )
        .exclude(pk__in=[pk for pk in exclude if pk])
        .order_by("starts_at")[: limit if near is None else 100]
    )
    if near is not None:
        sessions = sorted(sessions, key=lambda s: abs(s.starts_at - near.starts_at))[:limit]
        sessions.sort(key=lambda s: s.starts_at)
    return sessions


def _session_open_for_group(session_id: int | None, *, now) -> Session:
    session = Session.objects.filter(pk=session_id).first() if session_id else None
    if session is None:
        raise errors.SessionNotFound()
    # A group is asked for (and moved) before its session starts: staff need time to decide.
    if session.status == Session.Status.CLOSED or now >= session.starts_at:
        raise errors.BookingClosed()
    return session


def _event(group_visit: GroupVisit, action: str, *, actor=None, now=None, **fields) -> GroupVisitEvent:
    return GroupVisitEvent.objects.create(
        group_visit=group_visit,
        action=action,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        at=now or timezone.now(),
        **fields,
    )


def _email(group_visit: GroupVisit, kind: str) -> None:
    requester = group_visit.requester
    email_queue(kind=kind, to=requester.email, user=requester, context={"group_visit_id": group_visit.pk})


def _locked(group_visit_id: int, **filters) -> GroupVisit:
    # Only the group row is locked here (not the session): see the module docstring.
    return GroupVisit.objects.select_for_update().select_related("requester").get(pk=group_visit_id, **filters)


# --- the request -----------------------------------------------------------------------------------


def group_visit_create(
    *,
    requester,
    institution_name: str,
    institution_type: str,
    contact_name: str,
    contact_phone: str,
    participants: int,
    children: int,
    age_group: str,
    purpose: str,
    session_id: int,
    alternative_session_id: int | None,
    letter,
    token: uuid.UUID | None = None,
) -> GroupVisit:
    """Submit a group request and hold its places in ``session_id`` at once.

    ``letter`` is the uploaded request letter (PDF/JPEG/PNG ≤ 5 MB, content-checked, stored
    privately under a random name). ``token`` from the form makes a double submit return
    the first request. The requester is emailed ("Menunggu persetujuan").

    Raises EmailNotConfirmed, GroupError subclasses (size, children, same session, phone),
    UploadError, SessionNotFound, BookingClosed, GroupQuotaFull (with ``alternatives``:
    sessions that have room), VisitsBusy.
    """
    if not (requester.is_active and requester.email_confirmed_at):
        raise errors.EmailNotConfirmed()
    low, high = settings.GROUP_VISIT_MIN_PARTICIPANTS, settings.GROUP_VISIT_MAX_PARTICIPANTS
    if not (low <= participants <= high):
        raise errors.GroupSizeInvalid(low, high)
    if not (0 <= children <= participants):
        raise errors.GroupChildrenInvalid()
    if alternative_session_id and alternative_session_id == session_id:
        raise errors.GroupSameSession()
    try:
        phone = phone_normalize(contact_phone)
    except ValidationError as error:
        raise errors.GroupError(error.messages[0], field="contact_phone") from None
    if token is not None:
        existing = GroupVisit.objects.filter(requester=requester, request_token=token).first()
        if existing is not None:
            return existing
    clean = document_clean(upload=letter)
    fields = dict(
        requester=requester,
        institution_name=institution_name.strip(),
        institution_type=institution_type,
        contact_name=contact_name.strip(),
        contact_phone=phone,
        participants=participants,
        children=children,
        age_group=age_group,
        purpose=purpose.strip(),
        letter_content_type=clean.content_type,
        letter_size=clean.size,
        request_token=token,
    )
    try:
        # The file is written first and removed again if anything after it fails (NewFiles).
        with busy_guard(), NewFiles() as new_files:
            return _group_visit_create(
                fields=fields,
                content=clean.content,
                session_id=session_id,
                alternative_session_id=alternative_session_id,
                new_files=new_files,
            )
    except errors.GroupQuotaFull as error:
        error.alternatives = sessions_with_room(
            places=participants, exclude=[session_id], near=Session.objects.filter(pk=session_id).first()
        )
        raise


@transaction.atomic
def _group_visit_create(*, fields, content, session_id, alternative_session_id, new_files) -> GroupVisit:
    now = timezone.now()
    requester = fields["requester"]
    # One account's submits are serialised (the token check below), as for bookings.
    get_user_model().objects.select_for_update().filter(pk=requester.pk).values_list("pk", flat=True).get()
    if fields["request_token"] is not None:
        existing = GroupVisit.objects.filter(requester=requester, request_token=fields["request_token"]).first()
        if existing is not None:
            return existing
    session = _session_open_for_group(session_id, now=now)
    alternative = None
    if alternative_session_id:
        alternative = Session.objects.filter(pk=alternative_session_id).first()
        if alternative is None:
            raise errors.SessionNotFound()
    places = fields["participants"]
    if session.places_left < places:
        raise errors.GroupQuotaFull(places=places)  # early answer; the UPDATE below is the guarantee
    group_visit = GroupVisit(
        **fields,
        session=session,
        alternative_session=alternative,
        status=GroupVisit.Status.PENDING,
        places_held=places,
        created_at=now,
        decide_by=group_decide_by(created_at=now, session=session),
    )
    new_files.write(group_visit.letter, content)
    group_visit.save()
    _event(group_visit, GroupVisitEvent.Action.SUBMITTED, actor=requester, now=now, to_session=session, places=places)
    _email(group_visit, "group_received")
    # Last statement: the hold. 0 rows = not enough places, and everything above rolls back.
    if not quota.quota_take(session_id=session.pk, places=places):
        raise errors.GroupQuotaFull(places=places)
    logger.info("Group visit %s: holds %s place(s) in session %s", group_visit.pk, places, session.pk)
    return group_visit


# --- staff decisions ---------------------------------------------------------------------------------


def _code_unused() -> str:
    for _attempt in range(10):
        code = _code_new()
        # Group and reservation codes share one space: the desk types either into one box.
        if not (GroupVisit.objects.filter(code=code).exists() or Reservation.objects.filter(code=code).exists()):
            return code
    raise errors.GroupError()  # pragma: no cover - ten collisions in a 6.6e11 space


def group_visit_approve(*, group_visit_id: int, staff) -> GroupVisit:
    """Approve a pending request: it gets a group code; the requester gets the confirmation
    email with the QR code and the confirmation letter (PDF). The places were held already.

    Raises GroupVisit.DoesNotExist, GroupNotPending (already decided, e.g. by another staff
    member a moment ago), GroupDecisionLate, VisitsBusy.
    """
    with busy_guard(), transaction.atomic():
        now = timezone.now()
        group_visit = _locked(group_visit_id)
        if group_visit.status != GroupVisit.Status.PENDING:
            raise errors.GroupNotPending()
        if now >= group_visit.decide_by:
            raise errors.GroupDecisionLate()
        group_visit.status = GroupVisit.Status.APPROVED
        group_visit.code = _code_unused()
        group_visit.decided_at = now
        group_visit.save(update_fields=["status", "code", "decided_at"])
        _event(group_visit, GroupVisitEvent.Action.APPROVED, actor=staff, now=now, places=group_visit.places_held)
        _email(group_visit, "group_approved")
    logger.info("Group visit %s approved by %s", group_visit.pk, staff.pk)
    return group_visit


def group_visit_reject(*, group_visit_id: int, staff, reason: str) -> GroupVisit:
    """Reject a pending request with a reason (required, sent to the requester); places return.

    Raises GroupReasonRequired, GroupVisit.DoesNotExist, GroupNotPending, VisitsBusy.
    """
    reason = (reason or "").strip()
    if not reason:
        raise errors.GroupReasonRequired()
    with busy_guard(), transaction.atomic():
        now = timezone.now()
        group_visit = _locked(group_visit_id)
        if group_visit.status != GroupVisit.Status.PENDING:
            raise errors.GroupNotPending()
        places = group_visit.places_held
        group_visit.status = GroupVisit.Status.REJECTED
        group_visit.reject_reason = reason
        group_visit.decided_at = now
        group_visit.places_held = 0
        group_visit.save(update_fields=["status", "reject_reason", "decided_at", "places_held"])
        _event(group_visit, GroupVisitEvent.Action.REJECTED, actor=staff, now=now, note=reason, places=places)
        _email(group_visit, "group_rejected")
        quota.quota_release(session_id=group_visit.session_id, places=places)
    return group_visit


def group_visit_move(*, group_visit_id: int, staff, new_session_id: int) -> GroupVisit:
    """Move a pending or approved group to another session, only if the whole group fits there.

    Release and take happen in one transaction, in session-id order (no deadlock with an
    opposite move); if the new session has no room the transaction, the release included,
    rolls back and the group keeps its places. The requester is emailed.

    Raises GroupVisit.DoesNotExist, GroupNotActive, GroupSameSession, SessionNotFound,
    BookingClosed, GroupQuotaFull, VisitsBusy.
    """
    with busy_guard(), transaction.atomic():
        now = timezone.now()
        group_visit = _locked(group_visit_id)
        if group_visit.status not in ACTIVE:
            raise errors.GroupNotActive()
        if group_visit.session_id == new_session_id:
            raise errors.GroupSameSession()
        new_session = _session_open_for_group(new_session_id, now=now)
        places = group_visit.places_held
        if new_session.places_left < places:
            raise errors.GroupQuotaFull(places=places)
        old_session_id = group_visit.session_id
        group_visit.session = new_session
        update = ["session"]
        if group_visit.status == GroupVisit.Status.PENDING:
            group_visit.decide_by = group_decide_by(created_at=group_visit.created_at, session=new_session)
            update.append("decide_by")
        group_visit.save(update_fields=update)
        _event(
            group_visit,
            GroupVisitEvent.Action.MOVED,
            actor=staff,
            now=now,
            from_session_id=old_session_id,
            to_session=new_session,
            places=places,
        )
        _email(group_visit, "group_moved")
        for session_id in sorted((old_session_id, new_session.pk)):
            if session_id == old_session_id:
                quota.quota_release(session_id=old_session_id, places=places)
            elif not quota.quota_take(session_id=new_session.pk, places=places):
                raise errors.GroupQuotaFull(places=places)
    return group_visit


# --- the requester ----------------------------------------------------------------------------------


def group_visit_can_cancel(*, group_visit: GroupVisit, now=None) -> bool:
    """The requester may cancel a pending or approved group until the day before the visit."""
    return group_visit.status in ACTIVE and local_today(now or timezone.now()) < group_visit.session.date


def group_visit_cancel(*, group_visit_id: int, requester) -> GroupVisit:
    """The requester cancels a pending or approved group, until the day before the visit; places return.

    Raises GroupVisit.DoesNotExist (not theirs), GroupNotActive, GroupCancelTooLate, VisitsBusy.
    """
    with busy_guard(), transaction.atomic():
        now = timezone.now()
        group_visit = _locked(group_visit_id, requester=requester)
        if group_visit.status not in ACTIVE:
            raise errors.GroupNotActive()
        if not group_visit_can_cancel(group_visit=group_visit, now=now):
            raise errors.GroupCancelTooLate()
        places = group_visit.places_held
        group_visit.status = GroupVisit.Status.CANCELLED
        group_visit.places_held = 0
        group_visit.save(update_fields=["status", "places_held"])
        _event(group_visit, GroupVisitEvent.Action.CANCELLED, actor=requester, now=now, places=places)
        _email(group_visit, "group_cancelled")
        quota.quota_release(session_id=group_visit.session_id, places=places)
    return group_visit


# --- jobs and the library -----------------------------------------------------------------------------


def group_visits_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire pending requests past their decision deadline: places released, requester emailed.

    Each request is its own short transaction (lock, re-check, release), so a decision made
    meanwhile wins and a second run finds nothing. Returns how many expired.
    """
    now = now or timezone.now()
    ids = list(
        GroupVisit.objects.filter(status=GroupVisit.Status.PENDING, decide_by__lte=now).values_list("pk", flat=True)
    )
    expired = 0
    for group_visit_id in ids:
        with busy_guard(), transaction.atomic():
            group_visit = _locked(group_visit_id)
            if group_visit.status != GroupVisit.Status.PENDING or group_visit.decide_by > now:
                continue
            places = group_visit.places_held
            group_visit.status = GroupVisit.Status.EXPIRED
            group_visit.places_held = 0
            group_visit.decided_at = now
            group_visit.save(update_fields=["status", "places_held", "decided_at"])
            _event(group_visit, GroupVisitEvent.Action.EXPIRED, now=now, places=places)
            _email(group_visit, "group_expired")
            quota.quota_release(session_id=group_visit.session_id, places=places)
            expired += 1
    if expired:
        logger.info("%s group visit request(s) expired undecided", expired)
    return expired


def group_visits_cancel_for_session(*, session_id: int, reason: str) -> int:
    """The library closes a session: its pending and approved groups are cancelled, places
    released, requesters emailed. Called by ``session_close`` before it locks the session row.
    Returns how many groups were cancelled.

    Every group row is locked first, in one statement, and the places go back in one
    ``quota_release`` at the end: the lock order stays group → session throughout (a
    release per group would hold the session row while locking the next group).
    """
    now = timezone.now()
    groups = list(
        GroupVisit.objects.select_for_update()
        .select_related("requester")
        .filter(session_id=session_id, status__in=ACTIVE)
        .order_by("pk")
    )
    released = 0
    for group_visit in groups:
        places = group_visit.places_held
        released += places
        group_visit.status = GroupVisit.Status.CANCELLED
        group_visit.places_held = 0
        group_visit.save(update_fields=["status", "places_held"])
        _event(group_visit, GroupVisitEvent.Action.CLOSED, now=now, places=places, note=reason)
        _email(group_visit, "group_cancelled")
    if released:
        quota.quota_release(session_id=session_id, places=released)
    return len(groups)


# --- on the day -------------------------------------------------------------------------------------


def group_checkin_rules(group_visit: GroupVisit, *, session: Session, now: datetime.datetime) -> list:
    """Raise what forbids checking this group in outright (not approved, closed session, wrong
    day, already in); return the overridable objections of the check-in window, the same window
    as individual check-in (``checkin.checkin_window``): empty = fine."""
    if group_visit.status == GroupVisit.Status.CHECKED_IN:
        raise desk_errors.GroupAlreadyCheckedIn(group_visit=group_visit)
    if group_visit.status != GroupVisit.Status.APPROVED:
        raise desk_errors.GroupCancelled(group_visit=group_visit)
    if session.status != Session.Status.OPEN:
        raise errors.GroupCheckinNotAllowed()
    if session.date != local_today(now):
        raise desk_errors.GroupWrongDay(group_visit=group_visit)
    return window_objections(session, now=now, group_visit=group_visit)


def group_checkin(
    *,
    request_code: str,
    present: int | None = None,
    staff,
    override: bool = False,
    note: str = "",
    now: datetime.datetime | None = None,
) -> GroupVisit:
    """Check a group in by its code: the whole group, or ``present`` people if fewer came.

    The places of those who did not come are released at once (walk-ins can have them).
    Allowed for an approved group on the session's date, in the session's check-in window
    (as for reservations); outside it only with ``override``, recorded like an individual
    override (a DeskEvent with the objection, the staff member and ``note``). Once only.
    Raises GroupNotFound, GroupAlreadyCheckedIn / GroupCancelled (both GroupNotActive),
    GroupWrongDay / GroupCheckinNotAllowed, WrongSession / TooEarly / TooLate (overridable),
    GroupPresentInvalid, VisitsBusy.
    """
    code = code_normalize(request_code)
    with busy_guard(), transaction.atomic():
        now = now or timezone.now()
        group_visit = GroupVisit.objects.select_for_update().filter(code=code).first() if code else None
        if group_visit is None:
            raise errors.GroupNotFound()
        session = Session.objects.get(pk=group_visit.session_id)
        group_visit.session = session
        objections = group_checkin_rules(group_visit, session=session, now=now)
        if objections and not override:
            raise objections[0]
        held = group_visit.places_held
        present = held if present is None else present
        if not (1 <= present <= held):
            raise errors.GroupPresentInvalid(held)
        group_visit.status = GroupVisit.Status.CHECKED_IN
        group_visit.present = present
        group_visit.places_held = present
        group_visit.checked_in_at = now
        group_visit.save(update_fields=["status", "present", "places_held", "checked_in_at"])
        # The desk's log, as for a reservation: who checked the group in, and any override.
        recorded = desk_checkin_record(objections=objections, note=note, staff=staff, now=now, group_visit=group_visit)
        released = f"{held - present} released" if present < held else ""
        _event(
            group_visit,
            GroupVisitEvent.Action.CHECKED_IN,
            actor=staff,
            now=now,
            places=present,
            note="; ".join(part for part in (released, recorded) if part),
        )
        if present < held:
            quota.quota_release(session_id=session.pk, places=held - present)
    logger.info("Group check-in %s by staff %s%s", group_visit.pk, staff.pk, " (override)" if objections else "")
    return group_visit


def group_letter_access_log(*, group_visit: GroupVisit, viewer) -> GroupLetterAccess:
    """Record that ``viewer`` (staff, not the requester) opened the group's request letter."""
    return GroupLetterAccess.objects.create(
        group_visit=group_visit,
        institution_name=group_visit.institution_name,
        viewer=viewer,
        viewer_email=viewer.email,
    )
