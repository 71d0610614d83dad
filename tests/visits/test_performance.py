"""The booking rush path, pinned: queries per booking, the cheap "penuh", nothing rendered or
sent while the session row is locked, and the cached availability page that never shows one
visitor's bookings to another (docs/performance.md).

Query counts are production's: PostgreSQL, real transactions (no test savepoints), sessions
read from the cache (``jaklitera.sessions``), the email handed to the broker after commit
(not run eagerly here). Django lists BEGIN and COMMIT/ROLLBACK among the queries; the
targets count SQL statements, so both numbers are pinned.
"""

import datetime
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse

from jaklitera.models import OutboundEmail
from members.auth import CHANGED_SECONDS
from tests.factories import UserFactory, VerifiedMemberFactory
from visits import services
from visits.models import Reservation, Session
from visits.services import Child

from .conftest import MONDAY, session_at

TUESDAY = MONDAY + datetime.timedelta(days=1)


TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}


@pytest.fixture(autouse=True)
def production_sessions(settings):
    settings.SESSION_ENGINE = "jaklitera.sessions"


def statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"] not in TRANSACTION_CONTROL]


def form_data(**extra):
    return {"token": str(uuid.uuid4()), "acknowledge": "on", **extra}


def book_url(session) -> str:
    return reverse("visits:reservation_create", args=[session.pk])


# --- Queries per booking (PostgreSQL, as in production) ------------------------------


@pytest.fixture
def postgres_rush(require_postgres, monkeypatch):
    # Production hands the email to Redis after commit; eager Celery would send it in the request.
    monkeypatch.setattr("jaklitera.mail._enqueue", lambda email_id: None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_successful_booking_takes_six_queries(postgres_rush, client, week, django_assert_num_queries):
    # user; lock + membership; session + visitor's facts; INSERT reservation; INSERT outbox; UPDATE counter
    client.force_login(VerifiedMemberFactory().user)
    session = session_at(TUESDAY, 9)
    with django_assert_num_queries(6 + 2) as captured:
        response = client.post(book_url(session), form_data())
    assert len(statements(captured)) == 6
    assert response.status_code == 302
    reservation = Reservation.objects.get()
    assert reservation.category == Reservation.Category.ANGGOTA
    assert Session.objects.get(pk=session.pk).booked == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_booking_with_children_adds_one_insert(postgres_rush, client, week, django_assert_num_queries):
    client.force_login(UserFactory())
    session = session_at(TUESDAY, 9)
    with django_assert_num_queries(7 + 2) as captured:
        response = client.post(book_url(session), form_data(child_1_name="Dewi", child_1_age="7"))
    assert len(statements(captured)) == 7
    assert response.status_code == 302
    assert Reservation.objects.get().category == Reservation.Category.NON_ANGGOTA
    assert Session.objects.get(pk=session.pk).booked == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_penuh_takes_four_queries_and_writes_nothing(postgres_rush, client, week, django_assert_num_queries):
    # user; lock; session + facts → "penuh" (rolled back); the holders with the session, for the
    # page and for the cheap "penuh" of the next visitors
    session = session_at(TUESDAY, 9)
    Session.objects.filter(pk=session.pk).update(capacity=3)
    for _ in range(3):
        services.reservation_create(user=UserFactory(), session_id=session.pk, acknowledged=True)
    client.force_login(VerifiedMemberFactory().user)
    with django_assert_num_queries(4 + 2) as captured:
        response = client.post(book_url(session), form_data())
    assert len(statements(captured)) == 4
    assert response.status_code == 409
    assert "Sesi ini sudah penuh" in response.content.decode()
    assert Reservation.objects.count() == 3 and OutboundEmail.objects.count() == 3  # the holders' own


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_submit_returns_the_first_booking(postgres_rush, client, week, django_assert_max_num_queries):
    client.force_login(UserFactory())
    session = session_at(TUESDAY, 9)
    data = form_data()
    first = client.post(book_url(session), data)
    with django_assert_max_num_queries(4 + 2):
        second = client.post(book_url(session), data)
    assert first["Location"] == second["Location"]
    assert Reservation.objects.count() == 1 and Session.objects.get(pk=session.pk).booked == 1


# --- Nothing rendered or sent while the session row is locked ------------------------


@pytest.mark.django_db(transaction=True)
def test_no_rendering_or_email_between_the_counter_update_and_commit(client, week, monkeypatch):
    events: list[tuple[str, bool]] = []  # (what, inside the booking's transaction?)
    take = services.quota.quota_take

    def recorded_take(**kwargs):
        taken = take(**kwargs)
        events.append(("counter locked", connection.in_atomic_block))
        return taken

    def rendered(sender, **kwargs):
        events.append(("render", connection.in_atomic_block))

    monkeypatch.setattr(services.quota, "quota_take", recorded_take)
    template_rendered.connect(rendered)
    try:
        client.force_login(UserFactory())
        response = client.post(book_url(session_at(TUESDAY, 9)), form_data())
    finally:
        template_rendered.disconnect(rendered)
    assert response.status_code == 302
    assert events[0] == ("counter locked", True), events
    # The confirmation email is rendered and sent after commit (eager Celery in tests), never inside.
    assert len(mail.outbox) == 1
    assert ("render", False) in events and ("render", True) not in events, events


# --- The availability page: cached shared data and HTML, never per-user leaks ---------


@pytest.mark.django_db
def test_availability_page_is_served_from_cache(client, week, django_assert_num_queries):
    visitor = UserFactory()
    client.force_login(visitor)
    client.get(reverse("visits:availability"))  # fills the cache
    # Warm: the user and their own bookings only (the session comes from the cache).
    with django_assert_num_queries(2):
        response = client.get(reverse("visits:availability"))
    assert response.status_code == 200 and "Sisa 300 dari 300" in response.content.decode()
    client.logout()
    with django_assert_num_queries(0):
        assert client.get(reverse("visits:availability")).status_code == 200


@pytest.mark.django_db
def test_availability_for_a_visitor_seen_before_takes_one_query(client, week, frozen, django_assert_num_queries):
    client.force_login(UserFactory())
    frozen.tick(datetime.timedelta(seconds=CHANGED_SECONDS + 1))  # the login's write has settled
    client.get(reverse("visits:availability"))  # caches the week, the page and the user row
    # Only "which of these sessions did I book": one plain statement.
    with django_assert_num_queries(1) as captured:
        response = client.get(reverse("visits:availability"))
    assert response.status_code == 200 and "Sisa 300 dari 300" in response.content.decode()
    assert 'FROM "visits_reservation"' in captured.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_availability_cache_does_not_leak_bookings_between_visitors(client, week):
    booked_by_a, other = session_at(TUESDAY, 9), session_at(TUESDAY, 13)
    a, b = UserFactory(), UserFactory()
    services.reservation_create(user=a, session_id=booked_by_a.pk, acknowledged=True)
    client.force_login(a)
    html_a = client.get(reverse("visits:availability")).content.decode()
    assert html_a.count("Sudah dipesan") == 1
    assert book_url(booked_by_a) not in html_a and book_url(other) in html_a
    for viewer in (b, None):  # straight after, from the same cache
        client.logout()
        if viewer:
            client.force_login(viewer)
        html = client.get(reverse("visits:availability")).content.decode()
        assert "Sudah dipesan" not in html
        assert book_url(booked_by_a) in html
    client.force_login(a)
    assert "Sudah dipesan" in client.get(reverse("visits:availability")).content.decode()


@pytest.mark.django_db
def test_availability_places_are_at_most_a_few_seconds_old(client, week, frozen, settings):
    session = session_at(TUESDAY, 9)
    assert "Sisa 300 dari 300" in client.get(reverse("visits:availability")).content.decode()
    services.reservation_create(user=UserFactory(), session_id=session.pk, children=[Child("A", 5)], acknowledged=True)
    frozen.tick(datetime.timedelta(seconds=settings.VISITS_AVAILABILITY_CACHE_SECONDS + 1))
    assert "Sisa 298 dari 300" in client.get(reverse("visits:availability")).content.decode()


# --- The cheap "penuh": answered from the cache once the database said so -------------


@pytest.mark.django_db
def test_penuh_after_the_first_is_answered_without_a_transaction(client, week, django_assert_num_queries):
    session = session_at(TUESDAY, 9)
    Session.objects.filter(pk=session.pk).update(capacity=1, booked=1)
    client.force_login(UserFactory())
    assert client.post(book_url(session), form_data()).status_code == 409  # the database says penuh
    client.force_login(UserFactory())
    # The user only (the holders of the session are remembered with it): nothing locked or written.
    with django_assert_num_queries(1) as captured:
        response = client.post(book_url(session), form_data())
    assert not any(q["sql"] in TRANSACTION_CONTROL or "SAVEPOINT" in q["sql"] for q in captured.captured_queries)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Sesi ini sudah penuh" in html and "Pilih sesi lain" in html


@pytest.mark.django_db
def test_penuh_for_a_visitor_seen_before_takes_no_query(client, week, frozen, django_assert_num_queries):
    # The whole late crowd of a rush: the user row from the cache (members.auth), the session
    # and its holders from the cache, the page from this process's copy (jaklitera.pagecache).
    late = UserFactory()
    client.force_login(late)
    frozen.tick(datetime.timedelta(seconds=CHANGED_SECONDS + 1))  # the login's write has settled
    session = session_at(TUESDAY, 9)
    Session.objects.filter(pk=session.pk).update(capacity=0)
    first = Client()
    first.force_login(UserFactory())
    assert first.post(book_url(session), form_data()).status_code == 409  # the database says penuh
    assert client.get(reverse("visits:availability")).status_code == 200  # the user row is cached now
    with django_assert_num_queries(0):
        response = client.post(book_url(session), form_data())
    assert response.status_code == 409 and "Sesi ini sudah penuh" in response.content.decode()


@pytest.mark.django_db
def test_retry_of_the_last_booking_still_gets_its_reservation(client, week):
    session = session_at(TUESDAY, 9)
    Session.objects.filter(pk=session.pk).update(capacity=1)
    last = UserFactory()
    client.force_login(last)
    data = form_data()
    first = client.post(book_url(session), data)
    client.force_login(UserFactory())
    assert client.post(book_url(session), form_data()).status_code == 409  # now remembered as full
    client.force_login(last)
    again = client.post(book_url(session), data)  # the browser retries the same form
    assert again.status_code == 302 and again["Location"] == first["Location"]
    other_form = client.post(book_url(session), form_data())
    assert other_form.status_code == 409 and "Anda sudah memesan sesi ini" in other_form.content.decode()


@pytest.mark.django_db
def test_a_cancellation_reopens_the_session_at_once(client, week, django_capture_on_commit_callbacks):
    session = session_at(TUESDAY, 9)
    Session.objects.filter(pk=session.pk).update(capacity=1)
    holder = UserFactory()
    reservation = services.reservation_create(user=holder, session_id=session.pk, acknowledged=True)
    client.force_login(UserFactory())
    assert client.post(book_url(session), form_data()).status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        services.reservation_cancel(reservation_id=reservation.pk, user=holder)
    assert client.post(book_url(session), form_data()).status_code == 302
    assert Session.objects.get(pk=session.pk).booked == 1


@pytest.mark.django_db
def test_a_capacity_raise_reopens_the_session_at_once(client, week, frozen, django_capture_on_commit_callbacks):
    session = session_at(TUESDAY, 9)
    Session.objects.filter(pk=session.pk).update(capacity=1)
    services.reservation_create(user=UserFactory(), session_id=session.pk, acknowledged=True)
    client.force_login(UserFactory())
    assert client.post(book_url(session), form_data()).status_code == 409
    # Remembered well past the availability page's few seconds: only a change of places ends it.
    frozen.tick(datetime.timedelta(seconds=30))
    assert client.post(book_url(session), form_data()).status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        services.session_capacity_change(session_id=session.pk, capacity=2)
    assert client.post(book_url(session), form_data()).status_code == 302
    assert Session.objects.get(pk=session.pk).booked == 2


@pytest.mark.django_db
def test_a_penuh_read_before_a_cancellation_but_cached_after_it_is_ignored(
    client, week, monkeypatch, django_capture_on_commit_callbacks
):
    # The view reads the session (full), a cancellation commits and clears the cache, and only
    # then the view's "penuh" reaches the cache: it must not hide the freed place.
    from visits import selectors

    session = session_at(TUESDAY, 9)
    Session.objects.filter(pk=session.pk).update(capacity=1)
    holder = UserFactory()
    reservation = services.reservation_create(user=holder, session_id=session.pk, acknowledged=True)
    real_cache = selectors.cache

    class CancelledJustBeforeTheSet:
        def __getattr__(self, name):
            return getattr(real_cache, name)

        def set(self, key, value, timeout=None):
            if isinstance(value, selectors.FullSession):
                with django_capture_on_commit_callbacks(execute=True):
                    services.reservation_cancel(reservation_id=reservation.pk, user=holder)
            real_cache.set(key, value, timeout)

    monkeypatch.setattr(selectors, "cache", CancelledJustBeforeTheSet())
    assert selectors.session_full_remember(session_id=session.pk).state() == Session.State.FULL
    monkeypatch.undo()
    client.force_login(UserFactory())
    assert client.post(book_url(session), form_data()).status_code == 302  # the freed place is taken
    assert Session.objects.get(pk=session.pk).booked == 1


@pytest.mark.django_db
def test_a_closed_session_says_closed_not_penuh(client, week, django_capture_on_commit_callbacks):
    session = session_at(TUESDAY, 9)
    Session.objects.filter(pk=session.pk).update(capacity=1)
    services.reservation_create(user=UserFactory(), session_id=session.pk, acknowledged=True)
    client.force_login(UserFactory())
    assert client.post(book_url(session), form_data()).status_code == 409  # remembered as full
    with django_capture_on_commit_callbacks(execute=True):
        services.session_close(session_id=session.pk, reason="Perbaikan listrik")
    response = client.post(book_url(session), form_data())
    assert response.status_code == 409 and "Pemesanan sesi ini sudah ditutup" in response.content.decode()
