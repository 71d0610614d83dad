"""Closing an account that has visits (members.services.account.account_close with
visits.services.erasure.visitor_forget): places come back at once, nothing points at the person."""

import datetime
import os

import pytest
from django.urls import reverse
from freezegun import freeze_time

from members.models import User
from tests.factories import UserFactory, VerifiedMemberFactory
from tests.visits.conftest import MONDAY, MONDAY_8_WIB, group_approved, schedule_default, session_at, session_make
from visits import services
from visits.models import DeskEvent, GroupLetterAccess, GroupVisit, GroupVisitEvent, Reservation, ReservationChild
from visits.services.erasure import visitor_forget
from visits.services.groups import group_letter_access_log
from visits.services.reservations import Child

pytestmark = pytest.mark.django_db

PASSWORD = "Rahasia-Kuat-123"
TUESDAY = MONDAY + datetime.timedelta(days=1)
WEDNESDAY = MONDAY + datetime.timedelta(days=2)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def week():
    with freeze_time(MONDAY_8_WIB) as frozen:
        schedule_default()
        services.sessions_generate()
        yield frozen


def booked(session) -> int:
    session.refresh_from_db()
    return session.booked


def test_a_member_with_visits_and_group_requests_can_close_the_account(
    client, week, private_media, django_capture_on_commit_callbacks
):
    member = VerifiedMemberFactory()
    person = member.user
    other = UserFactory()
    staff = UserFactory(is_staff=True)
    # The past: a visit last week, checked in (still ACTIVE: it held its place that day), and a no-show.
    past = session_make(day=MONDAY - datetime.timedelta(days=7), hour=9, booked=3)
    came = Reservation.objects.create(
        code="PAST2345",
        session=past,
        user=person,
        category="ANGGOTA",
        party_size=2,
        attendance="CHECKED_IN",
        checked_in_at=past.starts_at,
    )
    DeskEvent.objects.create(action=DeskEvent.Action.CHECK_IN, reservation=came, staff=staff)
    Reservation.objects.create(code="PAST2346", session=past, user=other, category="NON_ANGGOTA", party_size=1)
    # Upcoming: one booking with a child, one rescheduled (old code cancelled, new one active).
    tuesday, wednesday = session_at(TUESDAY, 9), session_at(WEDNESDAY, 13)
    services.reservation_create(user=person, session_id=tuesday.pk, children=[Child("Dewi", 7)], acknowledged=True)
    first = services.reservation_create(user=person, session_id=session_at(TUESDAY, 13).pk, acknowledged=True)
    services.reservation_reschedule(reservation_id=first.pk, user=person, new_session_id=wednesday.pk)
    kept = services.reservation_create(user=other, session_id=tuesday.pk, acknowledged=True)
    # Group requests: one pending, one approved (with a letter viewed by staff), one already rejected.
    pending = group_approved(session_at(WEDNESDAY, 9), requester=person, participants=20, children=0)
    GroupVisit.objects.filter(pk=pending.pk).update(status="PENDING", code=None)  # as if not decided yet
    approved = group_approved(session_at(TUESDAY, 13), requester=person, institution_name="SMP 1")
    group_letter_access_log(group_visit=approved, viewer=staff)
    rejected = group_approved(session_at(WEDNESDAY, 9), requester=person, institution_name="SMA 3")
    GroupVisit.objects.filter(pk=rejected.pk).update(status="REJECTED", places_held=0)
    Session = type(tuesday)
    Session.objects.filter(pk=rejected.session_id).update(booked=20)  # its places went back when rejected
    letters = [g.letter.name for g in GroupVisit.objects.filter(requester=person)]
    assert all(os.path.exists(private_media / name) for name in letters)
    assert services.quota_check() == []
    assert (booked(tuesday), booked(session_at(TUESDAY, 13)), booked(wednesday)) == (3, 35, 1)

    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:account_close"), {"password": PASSWORD})
    assert response.status_code == 302

    assert not User.objects.filter(pk=person.pk).exists()
    # Places returned at once, in every session, past ones included: the counter equals the recount.
    assert (booked(tuesday), booked(session_at(TUESDAY, 13)), booked(wednesday)) == (1, 0, 0)
    assert booked(session_at(WEDNESDAY, 9)) == 0 and booked(past) == 1
    assert services.quota_check() == []
    # Nothing left pointing at the person; other visitors untouched.
    assert not Reservation.objects.filter(code__in=["PAST2345", first.code]).exists()
    assert list(Reservation.objects.values_list("user_id", flat=True).order_by("pk")) == [other.pk, other.pk]
    assert Reservation.objects.filter(pk=kept.pk, status="ACTIVE").exists()
    assert not ReservationChild.objects.exists()
    assert not GroupVisit.objects.exists() and not GroupVisitEvent.objects.exists()
    assert not any(os.path.exists(private_media / name) for name in letters)
    # The staff's logs stay, without the link: who checked someone in, who opened a letter.
    assert DeskEvent.objects.get().reservation is None
    access = GroupLetterAccess.objects.get()
    assert access.group_visit is None and access.viewer == staff


def test_a_member_without_visits_still_closes(client, week):
    person = UserFactory()
    client.force_login(person)
    assert client.post(reverse("members:account_close"), {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()


def test_a_concurrent_cancel_is_not_returned_twice(week):
    """The service re-reads what is still ACTIVE under its lock: a place already returned by a
    cancel (here just before) is not returned again."""
    from django.db import transaction

    person = UserFactory()
    reservation = services.reservation_create(user=person, session_id=session_at(TUESDAY, 9).pk, acknowledged=True)
    services.reservation_cancel(reservation_id=reservation.pk, user=person)
    with transaction.atomic():
        forgotten = visitor_forget(user=person)
    assert (forgotten.reservations, forgotten.reservations_cancelled, forgotten.places_returned) == (1, 0, 0)
    assert services.quota_check() == []


def test_a_busy_session_row_leaves_the_account_open(client, week, monkeypatch):
    from visits.errors import VisitsBusy

    person = UserFactory()
    services.reservation_create(user=person, session_id=session_at(TUESDAY, 9).pk, acknowledged=True)

    def busy(**kwargs):
        raise VisitsBusy()

    monkeypatch.setattr("visits.services.erasure.visitor_forget", busy)
    client.force_login(person)
    response = client.post(reverse("members:account_close"), {"password": PASSWORD})
    assert response.status_code == 503 and "Sedang ramai" in response.content.decode()
    assert User.objects.filter(pk=person.pk).exists() and Reservation.objects.filter(user=person).exists()


def test_the_data_download_includes_visits_and_group_requests(client, week):
    member = VerifiedMemberFactory()
    person = member.user
    services.reservation_create(
        user=person, session_id=session_at(TUESDAY, 9).pk, children=[Child("Dewi", 7)], acknowledged=True
    )
    group_approved(session_at(WEDNESDAY, 9), requester=person, institution_name="SMP 1")
    services.reservation_create(user=UserFactory(), session_id=session_at(TUESDAY, 9).pk, acknowledged=True)
    client.force_login(person)
    data = client.get(reverse("members:data_export")).json()
    [reservation] = data["visits"]["reservations"]
    assert reservation["children"] == [{"name": "Dewi", "age": 7}] and reservation["party_size"] == 2
    [group] = data["visits"]["group_requests"]
    assert group["institution_name"] == "SMP 1" and group["status"] == "APPROVED"
