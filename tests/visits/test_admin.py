"""Staff tools in admin go through the services (capacity, close, closure) and Petugas Layanan may use them."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from jaklitera.models import OutboundEmail
from jaklitera.roles import PETUGAS_LAYANAN
from tests.factories import UserFactory
from visits import services
from visits.models import Closure, Reservation, Session, WeekdaySchedule

from .conftest import MONDAY, session_at

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture
def desk(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))
    client.force_login(user)
    return user


def test_front_desk_sees_the_visit_admin(client, week, desk, anggota):
    services.reservation_create(user=anggota, session_id=session_at(TUESDAY, 9).pk, acknowledged=True)
    for name in ["session", "reservation", "closure", "weekdayschedule", "visitnotice"]:
        assert client.get(reverse(f"admin:visits_{name}_changelist")).status_code == 200, name
    schedule = WeekdaySchedule.objects.first()
    assert client.get(reverse("admin:visits_weekdayschedule_change", args=[schedule.pk])).status_code == 200
    assert not desk.has_perm("members.view_private_document")


def test_capacity_below_taken_is_refused_in_admin(client, week, desk, anggota):
    session = session_at(TUESDAY, 9)
    services.reservation_create(user=anggota, session_id=session.pk, acknowledged=True)
    url = reverse("admin:visits_session_change", args=[session.pk])
    response = client.post(url, {"capacity": "0"})
    assert response.status_code == 200
    assert "Kapasitas tidak boleh kurang dari 1 tempat yang sudah terisi." in response.content.decode()
    assert Session.objects.get(pk=session.pk).capacity == 300
    response = client.post(url, {"capacity": "120"})
    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).capacity == 120


def test_close_session_action(client, week, desk, anggota):
    session = session_at(TUESDAY, 9)
    services.reservation_create(user=anggota, session_id=session.pk, acknowledged=True)
    response = client.post(
        reverse("admin:visits_session_changelist"),
        {"action": "close_sessions", "_selected_action": [session.pk], "reason": "Perbaikan AC"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.closed_reason, session.booked) == ("CLOSED", "Perbaikan AC", 0)
    assert Reservation.objects.get().status == Reservation.Status.CANCELLED
    assert OutboundEmail.objects.filter(kind="visit_cancelled").count() == 1


def test_adding_a_closure_in_admin_cancels_that_day(client, week, desk, anggota):
    services.reservation_create(user=anggota, session_id=session_at(TUESDAY, 9).pk, acknowledged=True)
    response = client.post(reverse("admin:visits_closure_add"), {"date": "2026-06-09", "reason": "Cuti bersama"})
    assert response.status_code == 302
    assert Closure.objects.get().reason == "Cuti bersama"
    assert Reservation.objects.get().cancel_reason == Reservation.CancelReason.SESSION_CLOSED
    assert not Session.objects.filter(date=TUESDAY, status="OPEN").exists()


def test_the_desk_log_is_readable_in_admin_and_cannot_be_edited(client):
    from visits.models import DeskEvent

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    DeskEvent.objects.create(action=DeskEvent.Action.BLOCK_LIFTED, staff=admin_user, note="salah tandai")
    client.force_login(admin_user)
    response = client.get("/admin/visits/deskevent/")
    assert response.status_code == 200 and "salah tandai" in response.content.decode()
    assert client.get("/admin/visits/deskevent/add/").status_code == 403
