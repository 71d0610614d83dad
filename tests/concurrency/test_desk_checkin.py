"""Two desks at once (PostgreSQL, real threads, one connection each).

The same code scanned at several desks at the same instant checks the party in once; the
negative control replaces the conditional UPDATE by read-then-write and every desk "wins".
Walk-ins for the last places go through the quota's conditional UPDATE: never overbooked.
"""

import datetime
import time

import pytest
from django.utils import timezone

from tests.concurrency.test_visit_quota import race
from tests.factories import UserFactory
from visits import desk_errors, errors, services
from visits.models import DeskEvent, Reservation, Session
from visits.services import checkin, walkins

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres(require_postgres):
    pass


def session_now(*, capacity: int = 300, booked: int = 0) -> Session:
    """A session of today whose check-in window is open now."""
    now = timezone.now()
    return Session.objects.create(
        date=timezone.localdate(now),
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=3),
        last_checkin_at=now + datetime.timedelta(hours=2),
        capacity=capacity,
        booked=booked,
    )


def test_same_code_at_eight_desks_checks_in_once():
    session = session_now()
    reservation = services.reservation_create(user=UserFactory(), session_id=session.pk, acknowledged=True)
    desks = [UserFactory(is_staff=True) for _ in range(8)]
    results = race([(lambda d=d: checkin.checkin_scan(staff=d, text=reservation.code).pk) for d in desks])
    kinds = [kind for kind, _ in results]
    assert kinds.count("crashed") == 0, results
    assert kinds.count("ok") == 1
    refusals = [value for kind, value in results if kind == "refused"]
    assert len(refusals) == 7 and all(isinstance(e, desk_errors.AlreadyCheckedIn) for e in refusals)
    assert DeskEvent.objects.filter(reservation=reservation).count() == 1
    assert Reservation.objects.get(pk=reservation.pk).attendance == Reservation.Attendance.CHECKED_IN


def test_negative_control_read_then_write_checks_in_many_times(monkeypatch):
    session = session_now()
    reservation = services.reservation_create(user=UserFactory(), session_id=session.pk, acknowledged=True)
    desks = [UserFactory(is_staff=True) for _ in range(8)]

    def unguarded_claim(*, reservation_id, now):
        # The bug the conditional UPDATE prevents: read, decide, then write unconditionally.
        current = Reservation.objects.get(pk=reservation_id)
        if current.attendance == Reservation.Attendance.CHECKED_IN:
            return False
        time.sleep(0.05)
        Reservation.objects.filter(pk=reservation_id).update(attendance="CHECKED_IN", checked_in_at=now)
        return True

    monkeypatch.setattr(checkin, "_claim", unguarded_claim)
    results = race([(lambda d=d: checkin.checkin_scan(staff=d, text=reservation.code).pk) for d in desks])
    # Several desks were told "OK" for the same party, and the log counts it several times.
    assert [kind for kind, _ in results].count("ok") > 1, results
    assert DeskEvent.objects.filter(reservation=reservation).count() > 1


def test_walkins_for_the_last_places_never_overbook():
    session = session_now(capacity=300, booked=295)
    desks = [UserFactory(is_staff=True) for _ in range(20)]
    jobs = [
        (lambda d=d, i=i: walkins.walkin_register(
            staff=d, session_id=session.pk, guest_name=f"Tamu {i}", guest_phone="+6281299990000"
        ).pk)
        for i, d in enumerate(desks)
    ]  # fmt: skip
    results = race(jobs)
    kinds = [kind for kind, _ in results]
    assert kinds.count("crashed") == 0, results
    assert kinds.count("ok") == 5
    assert all(isinstance(v, errors.QuotaFull) for kind, v in results if kind == "refused")
    session.refresh_from_db()
    assert session.booked == 300
    assert Reservation.objects.filter(session=session, is_walk_in=True, status="ACTIVE").count() == 5
