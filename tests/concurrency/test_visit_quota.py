"""The 300-per-session quota under a rush (PostgreSQL, real threads, one connection each).

A threading.Barrier releases every attempt at the same instant. The negative control
switches the guard off (the conditional UPDATE becomes read-then-write) and shows the
same race oversells, proving these tests can fail.
"""

import datetime
import threading
import time
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from jaklitera.errors import ApplicationError
from tests.factories import UserFactory
from visits import errors, services
from visits.models import Reservation, Session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres(require_postgres):
    pass


def session_tomorrow(*, hour: int = 9, capacity: int, booked: int = 0) -> Session:
    day = timezone.localdate() + datetime.timedelta(days=1)
    at = lambda h: timezone.make_aware(datetime.datetime.combine(day, datetime.time(h)))  # noqa: E731
    return Session.objects.create(
        date=day,
        starts_at=at(hour),
        ends_at=at(hour + 4),
        last_checkin_at=at(hour + 3),
        capacity=capacity,
        booked=booked,
    )


def race(jobs) -> list[tuple[str, object]]:
    """Run each callable in its own thread and DB connection, all released together."""
    start = threading.Barrier(len(jobs))
    results: list[tuple[str, object]] = [("", None)] * len(jobs)

    def run(index, job):
        try:
            start.wait(timeout=30)
            results[index] = ("ok", job())
        except ApplicationError as error:
            results[index] = ("refused", error)
        except Exception as error:  # a crash (IntegrityError, deadlock) must fail the test
            results[index] = ("crashed", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def booker(user, session_id):
    return lambda: services.reservation_create(user=user, session_id=session_id, acknowledged=True).pk


def active_people(session) -> int:
    return sum(Reservation.objects.filter(session=session, status="ACTIVE").values_list("party_size", flat=True))


def test_fifty_people_for_the_last_ten_places():
    session = session_tomorrow(capacity=300, booked=290)
    users = [UserFactory() for _ in range(50)]
    results = race([booker(user, session.pk) for user in users])
    outcomes = [kind for kind, _ in results]
    assert outcomes.count("crashed") == 0, results
    assert outcomes.count("ok") == 10
    refusals = [value for kind, value in results if kind == "refused"]
    assert len(refusals) == 40
    assert all(isinstance(error, errors.QuotaFull) for error in refusals), refusals
    assert {str(error) for error in refusals} == {"Sesi ini sudah penuh"}
    session.refresh_from_db()
    assert session.booked == 300
    assert active_people(session) == 10  # the 290 were placed directly
    assert Reservation.objects.filter(session=session).count() == 10


def test_negative_control_read_then_write_oversells(monkeypatch):
    session = session_tomorrow(capacity=300, booked=290)
    users = [UserFactory() for _ in range(50)]

    def unguarded_take(*, session_id, places):
        # The bug the conditional UPDATE prevents: read, decide, write an absolute value.
        current = Session.objects.get(pk=session_id)
        if current.booked + places > current.capacity:
            return False
        time.sleep(0.05)
        Session.objects.filter(pk=session_id).update(booked=current.booked + places)
        return True

    monkeypatch.setattr(services.quota, "quota_take", unguarded_take)
    results = race([booker(user, session.pk) for user in users])
    successes = [kind for kind, _ in results].count("ok")
    session.refresh_from_db()
    # Oversold: more people hold a place than the 10 that were left, and the counter lies.
    assert successes > 10, results
    assert active_people(session) > 10
    assert session.booked < 290 + active_people(session)
    # The periodic check would have reported it.
    assert [d.session_id for d in services.quota_check()] == [session.pk]


def test_concurrent_cancel_and_book():
    session = session_tomorrow(capacity=20)
    holders = [UserFactory() for _ in range(20)]
    held = [services.reservation_create(user=user, session_id=session.pk, acknowledged=True) for user in holders]
    newcomers = [UserFactory() for _ in range(20)]
    cancels = [(lambda r=r: services.reservation_cancel(reservation_id=r.pk, user=r.user).pk) for r in held[:10]]
    results = race(cancels + [booker(user, session.pk) for user in newcomers])
    cancel_results, book_results = results[:10], results[10:]
    assert all(kind == "ok" for kind, _ in cancel_results), cancel_results
    assert all(kind in ("ok", "refused") for kind, _ in book_results), book_results
    assert all(isinstance(v, errors.QuotaFull) for kind, v in book_results if kind == "refused")
    booked_now = [kind for kind, _ in book_results].count("ok")
    assert booked_now <= 10
    session.refresh_from_db()
    assert session.booked == 20 - 10 + booked_now == active_people(session)
    assert services.quota_check() == []


def test_concurrent_reschedules_into_the_last_places():
    source = session_tomorrow(hour=9, capacity=30)
    target = session_tomorrow(hour=13, capacity=10)
    users = [UserFactory() for _ in range(30)]
    held = [services.reservation_create(user=user, session_id=source.pk, acknowledged=True) for user in users]
    moves = [
        (lambda r=r: services.reservation_reschedule(reservation_id=r.pk, user=r.user, new_session_id=target.pk).pk)
        for r in held
    ]
    results = race(moves)
    outcomes = [kind for kind, _ in results]
    assert outcomes.count("crashed") == 0, results
    assert outcomes.count("ok") == 10
    assert all(isinstance(v, errors.QuotaFull) for kind, v in results if kind == "refused")
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.booked, target.booked) == (20, 10)
    # Everyone refused still holds the old place: released only if the new one was obtained.
    assert Reservation.objects.filter(session=source, status="ACTIVE").count() == 20
    assert services.quota_check() == []


def test_opposite_reschedules_do_not_deadlock():
    a = session_tomorrow(hour=9, capacity=25)
    b = session_tomorrow(hour=13, capacity=25)
    in_a = [services.reservation_create(user=UserFactory(), session_id=a.pk, acknowledged=True) for _ in range(20)]
    in_b = [services.reservation_create(user=UserFactory(), session_id=b.pk, acknowledged=True) for _ in range(20)]
    moves = [
        (lambda r=r, to=to: services.reservation_reschedule(reservation_id=r.pk, user=r.user, new_session_id=to).pk)
        for group, to in ((in_a, b.pk), (in_b, a.pk))
        for r in group
    ]
    results = race(moves)
    assert all(kind == "ok" or isinstance(v, errors.QuotaFull) for kind, v in results), results
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.booked <= 25 and b.booked <= 25 and a.booked + b.booked == 40
    assert services.quota_check() == []


def test_double_submit_race_makes_one_reservation():
    session = session_tomorrow(capacity=300)
    user = UserFactory()
    token = uuid.uuid4()
    job = lambda: services.reservation_create(user=user, session_id=session.pk, acknowledged=True, token=token).pk  # noqa: E731
    results = race([job] * 5)
    assert {kind for kind, _ in results} == {"ok"}, results
    assert len({value for _, value in results}) == 1
    session.refresh_from_db()
    assert session.booked == 1


def test_lock_timeout_is_busy_not_a_crash(settings):
    session = session_tomorrow(capacity=300)
    user = UserFactory()
    holding = threading.Event()
    release = threading.Event()

    def hold_the_row():
        from django.db import transaction

        try:
            with transaction.atomic():
                Session.objects.select_for_update().get(pk=session.pk)
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert holding.wait(timeout=10)
    results = race([booker(user, session.pk)])
    release.set()
    holder.join(timeout=20)
    kind, error = results[0]
    assert kind == "refused" and isinstance(error, errors.VisitsBusy), results
    assert str(error) == "Sedang ramai, silakan coba lagi"
    assert Reservation.objects.count() == 0
