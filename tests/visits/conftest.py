"""Visits fixtures: the default schedule, a frozen Monday morning, visitors."""

import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import MemberFactory, VerifiedMemberFactory
from visits.models import Session, SessionSlot, WeekdaySchedule

# Monday 8 June 2026, 08.00 WIB (01.00 UTC): the whole window is ahead.
MONDAY_8_WIB = "2026-06-08 01:00:00"
MONDAY = datetime.date(2026, 6, 8)


def schedule_default(capacity: int = 300) -> None:
    """What the data migration creates; transactional tests flush it, so tests make it again."""
    t = datetime.time
    for weekday in range(7):
        schedule, _ = WeekdaySchedule.objects.get_or_create(weekday=weekday)
        if not schedule.slots.exists():
            SessionSlot.objects.create(
                schedule=schedule, starts_at=t(9), ends_at=t(13), last_checkin_at=t(12), capacity=capacity
            )
            SessionSlot.objects.create(
                schedule=schedule, starts_at=t(13), ends_at=t(17), last_checkin_at=t(16), capacity=capacity
            )


def session_at(day: datetime.date, hour: int) -> Session:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return Session.objects.get(starts_at=start)


def session_make(*, day: datetime.date, hour: int = 9, capacity: int = 300, booked: int = 0) -> Session:
    at = lambda h: timezone.make_aware(datetime.datetime.combine(day, datetime.time(h)))  # noqa: E731
    return Session.objects.create(
        date=day,
        starts_at=at(hour),
        ends_at=at(hour + 4),
        last_checkin_at=at(hour + 3),
        capacity=capacity,
        booked=booked,
    )


@pytest.fixture
def frozen():
    with freeze_time(MONDAY_8_WIB) as frozen_time:
        yield frozen_time


@pytest.fixture
def week(frozen):
    """The default schedule and the window's sessions (Mon 8 – Sun 14 June 2026)."""
    from visits.services import sessions_generate

    schedule_default()
    sessions_generate()


@pytest.fixture
def anggota():
    return VerifiedMemberFactory().user


@pytest.fixture
def non_anggota():
    return MemberFactory().user


def group_approved(session, *, participants: int = 35, children: int = 30, **fields):
    """An approved Rombongan holding ``participants`` places in ``session`` (through the services,
    so the quota counter moves). Needs PRIVATE_MEDIA_ROOT (the request letter) and a session not started."""
    from django.contrib.auth.models import Group

    from jaklitera.roles import PETUGAS_LAYANAN, roles_sync
    from tests.factories import UserFactory
    from tests.members import samples
    from visits import services
    from visits.models import GroupVisit

    if not Group.objects.filter(name=PETUGAS_LAYANAN).exists():
        roles_sync()
    values = dict(
        requester=fields.pop("requester", None) or UserFactory(),
        institution_name="SDN Cikini 01",
        institution_type=GroupVisit.InstitutionType.SCHOOL,
        contact_name="Ibu Ratna",
        contact_phone="0812 3456 7890",
        participants=participants,
        children=children,
        age_group=GroupVisit.AgeGroup.PRIMARY,
        purpose="Mengenalkan perpustakaan kepada siswa.",
        session_id=session.pk,
        alternative_session_id=None,
        letter=samples.upload(samples.pdf_bytes(), "surat.pdf", "application/pdf"),
    )
    values.update(fields)
    group_visit = services.group_visit_create(**values)
    staff = UserFactory(is_staff=True)
    return services.group_visit_approve(group_visit_id=group_visit.pk, staff=staff)
