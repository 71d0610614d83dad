"""Reads for the desk (Daftar Kunjungan Hari Ini, exports, blocks). A fixed number of queries
whatever the number of reservations: counts are aggregates, rows come in one joined query."""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import CharField, Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Document
from members.validators import phone_display

from .group_selectors import group_visits_for_day
from .models import GroupVisit, Reservation, Session, VisitBlock
from .services.checkin import checkin_window, session_current
from .services.quota import group_places
from .services.reservations import code_normalize

ACTIVE = Reservation.Status.ACTIVE
ATT = Reservation.Attendance

# The status filter of the list: "" = everyone still holding a place.
STATUS_FILTERS = {
    "": Q(status=ACTIVE),
    "EXPECTED": Q(status=ACTIVE, attendance=ATT.EXPECTED),
    "CHECKED_IN": Q(status=ACTIVE, attendance=ATT.CHECKED_IN),
    "NO_SHOW": Q(status=ACTIVE, attendance=ATT.NO_SHOW),
    "CANCELLED": Q(status=Reservation.Status.CANCELLED),
    "ALL": Q(),
}


GROUP = GroupVisit.Status

# Groups on the list per status filter (a group holds places while APPROVED / CHECKED_IN; an
# approved group not in by the last check-in time shows as "Tidak hadir", see _group_status).
GROUP_STATUS_FILTERS = {
    "": (GROUP.APPROVED, GROUP.CHECKED_IN),
    "EXPECTED": (GROUP.APPROVED,),
    "CHECKED_IN": (GROUP.CHECKED_IN,),
    "NO_SHOW": (GROUP.APPROVED,),
    "CANCELLED": (GROUP.CANCELLED,),
    "ALL": (GROUP.APPROVED, GROUP.CHECKED_IN, GROUP.CANCELLED),
}


def _people(condition: Q):
    return Coalesce(Sum("reservations__party_size", filter=condition), 0)


@dataclass
class SessionSummary:
    session: Session
    checked_in: int
    no_show: int
    expected: int
    reservations: int
    opens_at: datetime.datetime
    checkin_open: bool
    running: bool
    groups: int = 0

    @property
    def booked(self) -> int:
        return self.session.booked

    @property
    def places_left(self) -> int:
        return self.session.places_left


@dataclass
class DeskRow:
    """One reservation as the desk shows it (name, phone and type already resolved)."""

    reservation: Reservation
    name: str
    phone: str
    member_number: str
    visitor_type: str
    children: int
    status_key: str
    status_label: str

    is_group = False

    @property
    def code(self) -> str:
        return self.reservation.code_display

    @property
    def session(self) -> Session:
        return self.reservation.session

    @property
    def party_size(self) -> int:
        return self.reservation.party_size

    @property
    def checked_in_at(self) -> datetime.datetime | None:
        return self.reservation.checked_in_at

    @property
    def is_walk_in(self) -> bool:
        return self.reservation.is_walk_in


@dataclass
class GroupDeskRow:
    """One Rombongan as one row of the day list: institution, size, status (same columns)."""

    group_visit: GroupVisit
    name: str
    phone: str
    visitor_type: str
    children: int
    status_key: str
    status_label: str
    member_number: str = ""
    is_group = True
    is_walk_in = False

    @property
    def code(self) -> str:
        return self.group_visit.code_display

    @property
    def session(self) -> Session:
        return self.group_visit.session

    @property
    def party_size(self) -> int:
        # The people present once checked in; the whole group (places held) before.
        group = self.group_visit
        return group.present if group.status == GROUP.CHECKED_IN else group.participants

    @property
    def checked_in_at(self) -> datetime.datetime | None:
        return self.group_visit.checked_in_at


@dataclass
class DeskDay:
    day: datetime.date
    sessions: list[SessionSummary] = field(default_factory=list)
    rows: list[DeskRow | GroupDeskRow] = field(default_factory=list)
    selected: Session | None = None
    inside_now: int = 0


def session_summaries(*, day: datetime.date, now: datetime.datetime | None = None) -> list[SessionSummary]:
    """Every session of ``day`` with its people booked / checked in / expected / no-show,
    Rombongan included (an approved group counts its places held, a checked-in group the
    number present). One query."""
    now = now or timezone.now()
    group_count = (
        GroupVisit.objects.filter(session=OuterRef("pk"), status__in=GROUP_STATUS_FILTERS[""])
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sessions = (
        Session.objects.filter(date=day)
        .annotate(
            checked_in_people=_people(Q(reservations__status=ACTIVE, reservations__attendance=ATT.CHECKED_IN)),
            no_show_people=_people(Q(reservations__status=ACTIVE, reservations__attendance=ATT.NO_SHOW)),
            expected_people=_people(Q(reservations__status=ACTIVE, reservations__attendance=ATT.EXPECTED)),
            reservation_count=Count("reservations", filter=Q(reservations__status=ACTIVE)),
            group_in_people=group_places(status=GROUP.CHECKED_IN),
            group_approved_people=group_places(status=GROUP.APPROVED),
            group_count=Coalesce(Subquery(group_count), 0),
        )
        .order_by("starts_at")
    )
    result = []
    for session in sessions:
        opens, closes = checkin_window(session)
        # An approved group not in by the last check-in time is a no-show (as the job marks reservations).
        groups_missed = now > session.last_checkin_at
        result.append(
            SessionSummary(
                session=session,
                checked_in=session.checked_in_people + session.group_in_people,
                no_show=session.no_show_people + (session.group_approved_people if groups_missed else 0),
                expected=session.expected_people + (0 if groups_missed else session.group_approved_people),
                reservations=session.reservation_count,
                groups=session.group_count,
                opens_at=opens,
                checkin_open=session.status == Session.Status.OPEN and opens <= now <= closes,
                running=opens <= now < session.ends_at,
            )
        )
    return result


def occupancy_now(*, now: datetime.datetime | None = None) -> int:
    """People inside now: checked in (reservations and Rombongan, a group by the number present)
    for sessions running now (from check-in opening to the end). One query."""
    now = now or timezone.now()
    early = datetime.timedelta(minutes=settings.VISITS_CHECKIN_OPENS_MINUTES_BEFORE)
    people = (
        Reservation.objects.filter(session=OuterRef("pk"), status=ACTIVE, attendance=ATT.CHECKED_IN)
        .order_by()
        .values("session")
        .annotate(total=Sum("party_size"))
        .values("total")
    )
    running = Session.objects.filter(starts_at__lte=now + early, ends_at__gt=now).annotate(
        inside=Coalesce(Subquery(people), 0) + group_places(status=GROUP.CHECKED_IN)
    )
    return sum(running.values_list("inside", flat=True))


def _search(query: str) -> Q:
    text = query.strip()
    condition = (
        Q(user__member__member_number__icontains=text)
        | Q(user__member__full_name__icontains=text)
        | Q(guest_name__icontains=text)
        | Q(user__email__icontains=text)
    )
    code = code_normalize(text)
    if code:
        condition |= Q(code__icontains=code)
    digits = re.sub(r"\D", "", text)
    # 0812…, 62812…, +62 812…: compare the subscriber part, stored as +62812….
    digits = digits[1:] if digits.startswith("0") else digits[2:] if digits.startswith("62") else digits
    if len(digits) >= 4:
        condition |= Q(user__phone__contains=digits) | Q(guest_phone__contains=digits)
    return condition


def _status(reservation: Reservation) -> tuple[str, str]:
    if not reservation.is_active:
        return "CANCELLED", str(reservation.get_status_display())
    return reservation.attendance, str(reservation.get_attendance_display())


def _visitor_type(reservation: Reservation) -> str:
    label = str(reservation.get_category_display())
    if reservation.is_walk_in:
        label += " · walk-in"
    return label


def desk_rows(queryset) -> list[DeskRow]:
    rows = []
    for reservation in queryset:
        user = reservation.user
        member = getattr(user, "member", None) if user is not None else None
        name = (member.full_name if member else "") or reservation.guest_name or (user.email if user else "")
        phone = reservation.guest_phone or (user.phone if user else "")
        status_key, status_label = _status(reservation)
        rows.append(
            DeskRow(
                reservation=reservation,
                name=name,
                phone=phone_display(phone) if phone else "",
                member_number=(member.member_number or "") if member else "",
                visitor_type=_visitor_type(reservation),
                children=reservation.children_count,
                status_key=status_key,
                status_label=status_label,
            )
        )
    return rows


def _group_search(query: str) -> Q:
    text = query.strip()
    condition = Q(institution_name__icontains=text) | Q(contact_name__icontains=text)
    code = code_normalize(text)
    if code:
        condition |= Q(code__icontains=code)
    digits = re.sub(r"\D", "", text)
    digits = digits[1:] if digits.startswith("0") else digits[2:] if digits.startswith("62") else digits
    if len(digits) >= 4:
        condition |= Q(contact_phone__contains=digits)
    return condition


def _group_status(group_visit: GroupVisit, *, now: datetime.datetime) -> tuple[str, str]:
    if group_visit.status == GROUP.CHECKED_IN:
        return "CHECKED_IN", str(ATT.CHECKED_IN.label)
    if group_visit.status == GROUP.CANCELLED:
        return "CANCELLED", str(group_visit.get_status_display())
    if now > group_visit.session.last_checkin_at:
        return "NO_SHOW", str(ATT.NO_SHOW.label)
    return "EXPECTED", str(ATT.EXPECTED.label)


def groups_for_desk(
    *, day: datetime.date, session_id: int | None = None, status: str = "", query: str = "", now=None
) -> list[GroupDeskRow]:
    """The day's Rombongan as desk rows (one row per group), with the list's filters. One query."""
    now = now or timezone.now()
    statuses = GROUP_STATUS_FILTERS.get(status, GROUP_STATUS_FILTERS[""])
    groups = group_visits_for_day(
        date=day, session_id=session_id, statuses=statuses, search=_group_search(query) if query.strip() else None
    )
    rows = [_group_row(group_visit, now=now) for group_visit in groups]
    if status in ("EXPECTED", "NO_SHOW"):
        rows = [row for row in rows if row.status_key == status]
    return rows


def _group_row(group_visit: GroupVisit, *, now: datetime.datetime) -> GroupDeskRow:
    status_key, status_label = _group_status(group_visit, now=now)
    return GroupDeskRow(
        group_visit=group_visit,
        name=group_visit.institution_name,
        phone=phone_display(group_visit.contact_phone) if group_visit.contact_phone else "",
        visitor_type=_("Rombongan · %(type)s") % {"type": group_visit.get_institution_type_display()},
        children=group_visit.children,
        status_key=status_key,
        status_label=status_label,
    )


def rows_for_desk(
    *, day: datetime.date, session_id: int | None = None, status: str = "", query: str = "", now=None
) -> list[DeskRow | GroupDeskRow]:
    """The day list's rows: reservations and Rombongan, by session, each session's groups first,
    then by name. Two queries."""
    reservations = reservations_for_desk(day=day, session_id=session_id, status=status, query=query)
    groups = groups_for_desk(day=day, session_id=session_id, status=status, query=query, now=now)
    # Stable sort: keeps each list's own order (groups by institution, reservations by name).
    return sorted(groups + reservations, key=lambda row: row.session.starts_at)


def group_for_desk(*, group_visit_id: int) -> GroupDeskRow | None:
    """One Rombongan with what the check-in result shows."""
    group_visit = GroupVisit.objects.filter(pk=group_visit_id).select_related("session").first()
    return _group_row(group_visit, now=timezone.now()) if group_visit is not None else None


def reservations_for_desk(
    *, day: datetime.date, session_id: int | None = None, status: str = "", query: str = ""
) -> list[DeskRow]:
    """The day's reservations (or one session's), filtered and searched, by session then name. One query."""
    queryset = (
        Reservation.objects.filter(session__date=day)
        .filter(STATUS_FILTERS.get(status, STATUS_FILTERS[""]))
        .select_related("session", "user", "user__member")
        .annotate(
            sort_name=Lower(
                Coalesce(
                    NullIf(F("user__member__full_name"), Value("")),
                    NullIf(F("guest_name"), Value("")),
                    F("user__email"),
                    output_field=CharField(),
                )
            )
        )
        .order_by("session__starts_at", "sort_name", "pk")
    )
    if session_id is not None:
        queryset = queryset.filter(session_id=session_id)
    if query.strip():
        queryset = queryset.filter(_search(query))
    return desk_rows(queryset)


def desk_day(
    *,
    day: datetime.date,
    session_id: int | None = None,
    status: str = "",
    query: str = "",
    now: datetime.datetime | None = None,
) -> DeskDay:
    """Everything the day list shows: sessions with counts, the rows (reservations and Rombongan),
    people inside now. Four queries."""
    now = now or timezone.now()
    sessions = session_summaries(day=day, now=now)
    selected = next((s.session for s in sessions if s.session.pk == session_id), None)
    rows = rows_for_desk(day=day, session_id=selected.pk if selected else None, status=status, query=query, now=now)
    return DeskDay(day=day, sessions=sessions, rows=rows, selected=selected, inside_now=occupancy_now(now=now))


def default_session_id(*, day: datetime.date, now: datetime.datetime | None = None) -> int | None:
    """The list opens on the session checking in now (today), else the whole day."""
    now = now or timezone.now()
    if day != timezone.localdate(now):
        return None
    session = session_current(now=now)
    return session.pk if session is not None else None


def reservation_for_desk(*, reservation_id: int) -> DeskRow | None:
    """One reservation with what the check-in result shows (children names, photo id)."""
    reservation = (
        Reservation.objects.filter(pk=reservation_id)
        .select_related("session", "user", "user__member")
        .prefetch_related("children")
        .first()
    )
    if reservation is None:
        return None
    return desk_rows([reservation])[0]


def visitor_photo(*, code: str, today: datetime.date) -> Document | None:
    """The member PHOTO of today's reservation ``code`` (nothing else, no other day). One query."""
    todays = Reservation.objects.filter(code=code_normalize(code), session__date=today, user__isnull=False)
    return _photos().filter(member_id=Subquery(todays.values("user_id")[:1])).first()


def visitor_has_photo(*, user_id: int) -> bool:
    """Whether the member has a PHOTO (the check-in result offers "Lihat foto")."""
    return _photos().filter(member_id=user_id).exists()


def _photos():
    return Document.objects.filter(kind=Document.Kind.PHOTO)


def blocks_active(*, today: datetime.date, query: str = "") -> list[VisitBlock]:
    """Blocks in force today (newest first), with the visitor's name; optionally searched."""
    queryset = (
        VisitBlock.objects.filter(lifted_at__isnull=True, starts_on__lte=today, ends_on__gte=today)
        .select_related("user", "user__member")
        .order_by("-created_at")
    )
    text = query.strip()
    if text:
        queryset = queryset.filter(
            Q(user__email__icontains=text)
            | Q(user__member__full_name__icontains=text)
            | Q(user__member__member_number__icontains=text)
        )
    return list(queryset[:200])
