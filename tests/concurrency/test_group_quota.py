"""Rombongan under concurrency (PostgreSQL, real threads, one connection each, one barrier).

A group's hold goes through the same conditional UPDATE as a booking, so a group and
individual bookings racing for the last places never oversell; the negative control
switches the guard off and the same race oversells. Two staff deciding at once make one
decision and queue one email.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from jaklitera.models import OutboundEmail
from jaklitera.roles import PETUGAS_LAYANAN, roles_sync
from tests.concurrency.test_visit_quota import race, session_tomorrow
from tests.factories import UserFactory
from tests.members import samples
from visits import errors, services
from visits.models import GroupVisit, GroupVisitEvent, Reservation, Session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres(require_postgres, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def group_request(user, session_id, participants=35):
    return lambda: (
        services.group_visit_create(
            requester=user,
            institution_name="SDN Cikini 01",
            institution_type="SCHOOL",
            contact_name="Ibu Ratna",
            contact_phone="081234567890",
            participants=participants,
            children=30,
            age_group="PRIMARY",
            purpose="Kunjungan literasi",
            session_id=session_id,
            alternative_session_id=None,
            letter=samples.upload(samples.pdf_bytes(), "surat.pdf", "application/pdf"),
        ).pk
    )


def booker(user, session_id):
    return lambda: services.reservation_create(user=user, session_id=session_id, acknowledged=True).pk


def held(session) -> int:
    people = sum(Reservation.objects.filter(session=session, status="ACTIVE").values_list("party_size", flat=True))
    return people + sum(GroupVisit.objects.filter(session=session).values_list("places_held", flat=True))


def desk_user():
    if not Group.objects.filter(name=PETUGAS_LAYANAN).exists():
        roles_sync()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))
    return user


def test_group_and_individuals_race_for_the_last_places():
    session = session_tomorrow(capacity=40)
    jobs = [group_request(UserFactory(), session.pk)] + [booker(UserFactory(), session.pk) for _ in range(30)]
    results = race(jobs)
    assert [kind for kind, _ in results].count("crashed") == 0, results
    refused = [value for kind, value in results if kind == "refused"]
    assert all(isinstance(error, errors.QuotaFull) for error in refused), refused
    group_ok = results[0][0] == "ok"
    individuals_ok = [kind for kind, _ in results[1:]].count("ok")
    session.refresh_from_db()
    assert session.booked == held(session) <= 40
    assert session.booked == (35 if group_ok else 0) + individuals_ok
    if group_ok:
        assert individuals_ok <= 5
    assert services.quota_check() == []


def test_several_groups_for_one_sessions_room():
    session = session_tomorrow(capacity=100)
    results = race([group_request(UserFactory(), session.pk, participants=40) for _ in range(6)])
    assert [kind for kind, _ in results].count("ok") == 2
    session.refresh_from_db()
    assert session.booked == 80 == held(session)
    assert GroupVisit.objects.count() == 2  # the refused ones rolled back entirely


def test_negative_control_unguarded_hold_oversells(monkeypatch):
    import time

    session = session_tomorrow(capacity=40)

    def unguarded_take(*, session_id, places):
        current = Session.objects.get(pk=session_id)
        if current.booked + places > current.capacity:
            return False
        time.sleep(0.05)
        Session.objects.filter(pk=session_id).update(booked=current.booked + places)
        return True

    monkeypatch.setattr(services.quota, "quota_take", unguarded_take)
    jobs = [group_request(UserFactory(), session.pk)] + [booker(UserFactory(), session.pk) for _ in range(30)]
    results = race(jobs)
    session.refresh_from_db()
    # More people hold a place than the session has, and the counter no longer tells the truth.
    assert held(session) > 40, results
    assert session.booked != held(session)
    assert [d.session_id for d in services.quota_check()] == [session.pk]


def test_two_staff_deciding_at_once_make_one_decision():
    session = session_tomorrow(capacity=100)
    group_id = group_request(UserFactory(), session.pk)()
    staff = [desk_user() for _ in range(4)]
    jobs = [
        lambda s=staff[0]: services.group_visit_approve(group_visit_id=group_id, staff=s).pk,
        lambda s=staff[1]: services.group_visit_approve(group_visit_id=group_id, staff=s).pk,
        lambda s=staff[2]: services.group_visit_reject(group_visit_id=group_id, staff=s, reason="Penuh").pk,
        lambda s=staff[3]: services.group_visit_reject(group_visit_id=group_id, staff=s, reason="Penuh").pk,
    ]
    results = race(jobs)
    assert [kind for kind, _ in results].count("ok") == 1, results
    assert all(isinstance(v, errors.GroupNotPending) for kind, v in results if kind == "refused"), results
    decisions = GroupVisitEvent.objects.filter(group_visit_id=group_id, action__in=["APPROVED", "REJECTED"])
    assert decisions.count() == 1
    assert OutboundEmail.objects.filter(kind__in=["group_approved", "group_rejected"]).count() == 1
    session.refresh_from_db()
    group = GroupVisit.objects.get(pk=group_id)
    assert session.booked == group.places_held == (35 if group.status == "APPROVED" else 0)


def test_expiry_and_approval_at_the_deadline_make_one_outcome(monkeypatch):
    session = session_tomorrow(capacity=100)
    group_id = group_request(UserFactory(), session.pk)()
    # The deadline is a moment away: the approval can still win, or the expiry job.
    deadline = timezone.now() + datetime.timedelta(milliseconds=200)
    GroupVisit.objects.filter(pk=group_id).update(decide_by=deadline)
    staff = desk_user()
    results = race(
        [
            lambda: services.group_visit_approve(group_visit_id=group_id, staff=staff).pk,
            lambda: services.group_visits_expire(now=deadline + datetime.timedelta(seconds=1)),
        ]
    )
    assert [kind for kind, _ in results].count("crashed") == 0, results
    group = GroupVisit.objects.get(pk=group_id)
    session.refresh_from_db()
    if group.status == "APPROVED":
        assert results[1] == ("ok", 0) and session.booked == 35
    else:
        assert group.status == "EXPIRED" and results[0][0] == "refused" and session.booked == 0
    assert services.quota_check() == []


def test_closing_a_session_never_holds_the_session_row_while_waiting_for_a_group():
    # Lock order group → session: while the close waits for a group that someone else has
    # locked (a requester cancelling it, say), the session row must still be free; a close that
    # released group 1's places first would hold it, and that other transaction could deadlock.
    import threading

    from django.db import connection, transaction

    session = session_tomorrow(capacity=200)
    first = group_request(UserFactory(), session.pk)()
    second = group_request(UserFactory(), session.pk)()
    holding, release = threading.Event(), threading.Event()

    def hold_second_group():
        try:
            with transaction.atomic():
                GroupVisit.objects.select_for_update().get(pk=max(first, second))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def close():
        try:
            services.session_close(session_id=session.pk, reason="Perbaikan listrik")
        finally:
            connection.close()

    holder = threading.Thread(target=hold_second_group)
    holder.start()
    assert holding.wait(10)
    closer = threading.Thread(target=close)
    closer.start()
    try:
        closer.join(1.0)  # the close is now waiting for the second group
        assert closer.is_alive()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT id FROM visits_session WHERE id = %s FOR UPDATE NOWAIT", [session.pk])
    finally:
        release.set()
        holder.join(10)
        closer.join(30)
    assert GroupVisit.objects.filter(pk__in=[first, second], status="CANCELLED").count() == 2
    session.refresh_from_db()
    assert session.booked == 0 and services.quota_check() == []
