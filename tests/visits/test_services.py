"""Every booking rule and its message, party sizes, limits, window edges, closures,
capacity changes, cancel and reschedule (visits/services)."""

import datetime
import re
import uuid

import pytest
from django.db import OperationalError
from django.utils import timezone

from jaklitera.models import OutboundEmail
from tests.factories import UnconfirmedUserFactory, UserFactory
from visits import errors, services
from visits.models import Closure, Reservation, Session, SessionSlot, WeekdaySchedule
from visits.services import Child

from .conftest import MONDAY, schedule_default, session_at, session_make

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + datetime.timedelta(days=1)


def book(user, session, children=(), **kwargs):
    return services.reservation_create(user=user, session_id=session.pk, children=children, acknowledged=True, **kwargs)


def fresh(session) -> Session:
    return Session.objects.get(pk=session.pk)


# --- Schedule and sessions ---------------------------------------------------------


def test_default_schedule_from_the_migration(django_db_blocker):
    schedules = list(WeekdaySchedule.objects.prefetch_related("slots"))
    assert [s.weekday for s in schedules] == list(range(7))
    for schedule in schedules:
        assert (schedule.opens_at, schedule.closes_at) == (datetime.time(9), datetime.time(17))
        slots = [(s.starts_at, s.ends_at, s.capacity) for s in schedule.slots.order_by("starts_at")]
        assert slots == [
            (datetime.time(9), datetime.time(13), 300),
            (datetime.time(13), datetime.time(17), 300),
        ]


def test_generate_makes_seven_days_of_two_sessions_in_wib(week):
    sessions = list(Session.objects.order_by("starts_at"))
    assert len(sessions) == 14
    assert sessions[0].date == MONDAY
    assert sessions[-1].date == MONDAY + datetime.timedelta(days=6)
    first = sessions[0]
    assert timezone.localtime(first.starts_at).strftime("%H.%M") == "09.00"
    assert first.starts_at.utcoffset() is not None
    assert timezone.localtime(first.starts_at).utcoffset() == datetime.timedelta(hours=7)
    assert timezone.localtime(first.last_checkin_at).strftime("%H.%M") == "12.00"
    assert {s.capacity for s in sessions} == {300}
    assert services.sessions_generate().created == 0  # idempotent


def test_generate_next_day_opens_the_new_day(week, frozen):
    frozen.move_to("2026-06-08 17:01:00")  # Tuesday 00.01 WIB
    result = services.sessions_generate()
    assert result.created == 2
    assert Session.objects.filter(date=MONDAY + datetime.timedelta(days=7)).count() == 2


def test_closure_date_gets_no_sessions(frozen):
    schedule_default()
    Closure.objects.create(date=TUESDAY, reason="Libur Nasional Idul Adha")
    services.sessions_generate()
    assert not Session.objects.filter(date=TUESDAY).exists()
    assert Session.objects.filter(date=MONDAY).count() == 2


def test_closed_weekday_gets_no_sessions(frozen):
    schedule_default()
    WeekdaySchedule.objects.filter(weekday=TUESDAY.weekday()).update(is_open=False)
    services.sessions_generate()
    assert not Session.objects.filter(date=TUESDAY).exists()


def test_schedule_change_never_deletes_a_session_with_reservations(week, anggota):
    booked = session_at(TUESDAY, 13)
    book(anggota, booked)
    SessionSlot.objects.filter(starts_at=datetime.time(13)).delete()
    result = services.sessions_generate()
    assert Session.objects.filter(pk=booked.pk).exists()
    assert Session.objects.filter(date=TUESDAY).count() == 2  # the booked afternoon stays
    assert Session.objects.filter(date=MONDAY + datetime.timedelta(days=3)).count() == 1
    assert result.kept >= 1 and result.removed >= 5


def test_schedule_capacity_change_follows_unbooked_sessions_only(week, anggota):
    booked = session_at(TUESDAY, 9)
    book(anggota, booked)
    SessionSlot.objects.filter(starts_at=datetime.time(9)).update(capacity=250)
    services.sessions_generate()
    assert fresh(booked).capacity == 300
    assert session_at(MONDAY + datetime.timedelta(days=3), 9).capacity == 250


def test_closure_closes_booked_sessions_and_emails_visitors(week, anggota, non_anggota):
    morning, afternoon = session_at(TUESDAY, 9), session_at(TUESDAY, 13)
    first = book(anggota, morning, [Child("Dewi", 7)])
    second = book(non_anggota, afternoon)
    OutboundEmail.objects.all().delete()
    cancelled = services.closure_save(closure=Closure(date=TUESDAY, reason="Cuti bersama"))
    assert cancelled == 2
    for reservation in (first, second):
        reservation.refresh_from_db()
        assert reservation.status == Reservation.Status.CANCELLED
        assert reservation.cancel_reason == Reservation.CancelReason.SESSION_CLOSED
    assert fresh(morning).booked == 0 and fresh(morning).status == Session.Status.CLOSED
    assert fresh(morning).closed_reason == "Cuti bersama"
    assert set(OutboundEmail.objects.values_list("kind", "to")) == {
        ("visit_cancelled", anggota.email),
        ("visit_cancelled", non_anggota.email),
    }


# --- Booking: who, party, category ----------------------------------------------


def test_anggota_books_as_anggota(week, anggota):
    reservation = book(anggota, session_at(TUESDAY, 9))
    assert reservation.category == Reservation.Category.ANGGOTA
    assert reservation.party_size == 1
    assert fresh(reservation.session).booked == 1


def test_confirmed_but_unverified_books_as_non_anggota(week, non_anggota):
    assert book(non_anggota, session_at(TUESDAY, 9)).category == Reservation.Category.NON_ANGGOTA


def test_confirmed_account_without_member_books_as_non_anggota(week):
    assert book(UserFactory(), session_at(TUESDAY, 9)).category == Reservation.Category.NON_ANGGOTA


def test_unconfirmed_email_cannot_book(week):
    with pytest.raises(errors.EmailNotConfirmed):
        book(UnconfirmedUserFactory(), session_at(TUESDAY, 9))
    assert Reservation.objects.count() == 0


def test_acknowledgement_is_required(week, anggota):
    with pytest.raises(errors.NotAcknowledged):
        services.reservation_create(user=anggota, session_id=session_at(TUESDAY, 9).pk, acknowledged=False)


def test_every_child_counts_against_the_quota(week, anggota):
    session = session_at(TUESDAY, 9)
    children = [Child("Andi", 4), Child("Budi", 6), Child("Citra", 9), Child("Dodi", 12)]
    reservation = book(anggota, session, children)
    assert reservation.party_size == 5
    assert [c.name for c in reservation.children.all()] == ["Andi", "Budi", "Citra", "Dodi"]
    assert fresh(session).booked == 5
    assert fresh(session).places_left == 295


def test_at_most_four_children(week, anggota):
    with pytest.raises(errors.TooManyChildren):
        book(anggota, session_at(TUESDAY, 9), [Child(f"Anak {i}", 5) for i in range(5)])


@pytest.mark.parametrize("child", [Child("", 5), Child("Ani", 18), Child("Ani", -1)])
def test_each_child_needs_a_name_and_an_age_under_18(week, anggota, child):
    with pytest.raises(errors.InvalidChild):
        book(anggota, session_at(TUESDAY, 9), [child])


# --- The quota rules and their messages --------------------------------------------


def test_full_session_says_sesi_ini_sudah_penuh(frozen, anggota):
    session = session_make(day=TUESDAY, capacity=2, booked=2)
    with pytest.raises(errors.QuotaFull) as info:
        book(anggota, session)
    assert str(info.value) == "Sesi ini sudah penuh"
    assert Reservation.objects.count() == 0


def test_party_larger_than_places_left_is_refused_and_exact_fit_is_accepted(frozen, anggota, non_anggota):
    session = session_make(day=TUESDAY, capacity=3)
    with pytest.raises(errors.QuotaFull):
        book(anggota, session, [Child("A", 3), Child("B", 4), Child("C", 5)])
    book(non_anggota, session, [Child("A", 3), Child("B", 4)])
    assert fresh(session).booked == 3
    assert fresh(session).state() == Session.State.FULL


def test_the_counter_update_refuses_even_when_the_early_check_is_stale(frozen, anggota, monkeypatch):
    session = session_make(day=TUESDAY, capacity=1)
    # Someone takes the last place between our read and our UPDATE.
    real_insert = services.reservations._insert

    def insert_then_race(**kwargs):
        Session.objects.filter(pk=session.pk).update(booked=1)
        return real_insert(**kwargs)

    monkeypatch.setattr(services.reservations, "_insert", insert_then_race)
    with pytest.raises(errors.QuotaFull):
        book(anggota, session)
    assert Reservation.objects.count() == 0


def test_one_reservation_per_person_per_session(week, anggota):
    session = session_at(TUESDAY, 9)
    book(anggota, session)
    with pytest.raises(errors.AlreadyBooked) as info:
        book(anggota, session)
    assert str(info.value) == "Anda sudah memesan sesi ini"
    assert fresh(session).booked == 1


def test_the_database_holds_one_active_reservation_per_person_per_session(week, anggota):
    session = session_at(TUESDAY, 9)
    book(anggota, session)
    # Past the service's own check, the partial unique index still refuses.
    with pytest.raises(errors.AlreadyBooked):
        services.reservations._insert(user=anggota, session=session, category="ANGGOTA", children=[], token=None)


def test_booking_again_after_cancelling_is_allowed(week, anggota):
    session = session_at(TUESDAY, 9)
    first = book(anggota, session)
    services.reservation_cancel(reservation_id=first.pk, user=anggota)
    book(anggota, session)
    assert fresh(session).booked == 1


def test_three_active_reservations_at_most(week, anggota):
    for day in range(1, 4):
        book(anggota, session_at(MONDAY + datetime.timedelta(days=day), 9))
    with pytest.raises(errors.TooManyActive) as info:
        book(anggota, session_at(MONDAY + datetime.timedelta(days=4), 9))
    assert str(info.value) == "Batas 3 reservasi aktif"


def test_limit_is_a_setting(week, anggota, settings):
    settings.VISITS_MAX_ACTIVE_RESERVATIONS = 1
    book(anggota, session_at(TUESDAY, 9))
    with pytest.raises(errors.TooManyActive, match="Batas 1 reservasi aktif"):
        book(anggota, session_at(TUESDAY, 13))


def test_past_visits_and_cancelled_ones_do_not_count(week, anggota, frozen):
    today = book(anggota, session_at(MONDAY, 9))
    cancelled = book(anggota, session_at(TUESDAY, 9))
    services.reservation_cancel(reservation_id=cancelled.pk, user=anggota)
    book(anggota, session_at(TUESDAY, 13))
    book(anggota, session_at(MONDAY + datetime.timedelta(days=2), 9))
    frozen.move_to("2026-06-08 06:30:00")  # 13.30 WIB: this morning's visit is over
    assert today.session.ends_at < timezone.now()
    book(anggota, session_at(MONDAY + datetime.timedelta(days=3), 9))


def test_no_booking_after_last_check_in(week, anggota, frozen):
    session = session_at(MONDAY, 9)
    frozen.move_to("2026-06-08 04:59:59")  # 11.59.59 WIB
    assert session.state() == Session.State.OPEN
    frozen.move_to("2026-06-08 05:00:00")  # 12.00 WIB: last check-in
    with pytest.raises(errors.BookingClosed) as info:
        book(anggota, session)
    assert str(info.value) == "Pemesanan sesi ini sudah ditutup"


def test_first_minute_edge_booking_just_before_last_check_in(week, anggota, frozen):
    frozen.move_to("2026-06-08 04:59:59")
    assert book(anggota, session_at(MONDAY, 9)).is_active


def test_no_booking_in_the_past(frozen, anggota):
    session = session_make(day=MONDAY - datetime.timedelta(days=1))
    with pytest.raises(errors.BookingClosed):
        book(anggota, session)


def test_no_booking_beyond_the_window(week, anggota, frozen):
    last = session_at(MONDAY + datetime.timedelta(days=6), 13)
    book(anggota, last)
    beyond = session_make(day=MONDAY + datetime.timedelta(days=7))
    with pytest.raises(errors.NotYetOpen):
        book(anggota, beyond)


def test_window_opens_at_midnight_wib(frozen, anggota):
    beyond = session_make(day=MONDAY + datetime.timedelta(days=7))
    frozen.move_to("2026-06-08 16:59:59")  # Monday 23.59.59 WIB
    with pytest.raises(errors.NotYetOpen):
        book(anggota, beyond)
    frozen.move_to("2026-06-08 17:00:00")  # Tuesday 00.00 WIB
    assert book(anggota, beyond).is_active


def test_closed_session_cannot_be_booked(week, anggota):
    session = session_at(TUESDAY, 9)
    services.session_close(session_id=session.pk, reason="Perbaikan listrik")
    with pytest.raises(errors.BookingClosed):
        book(anggota, session)


def test_same_token_returns_the_same_reservation(week, anggota):
    session = session_at(TUESDAY, 9)
    token = uuid.uuid4()
    first = book(anggota, session, token=token)
    again = book(anggota, session, token=token)
    assert again.pk == first.pk
    assert Reservation.objects.count() == 1
    assert fresh(session).booked == 1


def test_reservation_code_is_short_unambiguous_and_random(week, anggota, non_anggota):
    a = book(anggota, session_at(TUESDAY, 9))
    b = book(non_anggota, session_at(TUESDAY, 9))
    for reservation in (a, b):
        assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}", reservation.code)
        assert reservation.code_display == f"{reservation.code[:4]}-{reservation.code[4:]}"
        assert services.code_normalize(reservation.code_display.lower()) == reservation.code
    assert a.code != b.code


def test_lock_timeout_becomes_busy_not_an_error(week, anggota, monkeypatch):
    class LockNotAvailable(Exception):
        pgcode = "55P03"

    def stuck(**kwargs):
        raise OperationalError("canceling statement due to lock timeout") from LockNotAvailable()

    monkeypatch.setattr(services.quota, "quota_take", stuck)
    with pytest.raises(errors.VisitsBusy) as info:
        book(anggota, session_at(TUESDAY, 9))
    assert str(info.value) == "Sedang ramai, silakan coba lagi"
    assert Reservation.objects.count() == 0


def test_other_database_errors_are_not_hidden(week, anggota, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(services.quota, "quota_take", broken)
    with pytest.raises(OperationalError):
        book(anggota, session_at(TUESDAY, 9))


# --- Cancel -------------------------------------------------------------------------


def test_cancel_returns_places_at_once_and_emails(week, anggota):
    session = session_at(TUESDAY, 9)
    reservation = book(anggota, session, [Child("Dewi", 7)])
    assert fresh(session).booked == 2
    services.reservation_cancel(reservation_id=reservation.pk, user=anggota)
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED
    assert reservation.cancel_reason == Reservation.CancelReason.VISITOR
    assert fresh(session).booked == 0
    assert OutboundEmail.objects.filter(kind="visit_cancelled", to=anggota.email).count() == 1


def test_cancel_twice_is_refused_and_returns_places_once(week, anggota):
    session = session_at(TUESDAY, 9)
    reservation = book(anggota, session)
    services.reservation_cancel(reservation_id=reservation.pk, user=anggota)
    with pytest.raises(errors.ReservationNotActive):
        services.reservation_cancel(reservation_id=reservation.pk, user=anggota)
    assert fresh(session).booked == 0


def test_cancel_until_the_session_starts(week, anggota, frozen):
    reservation = book(anggota, session_at(MONDAY, 9))
    frozen.move_to("2026-06-08 02:00:00")  # 09.00 WIB
    with pytest.raises(errors.SessionStarted):
        services.reservation_cancel(reservation_id=reservation.pk, user=anggota)


def test_someone_else_cannot_cancel(week, anggota, non_anggota):
    reservation = book(anggota, session_at(TUESDAY, 9))
    with pytest.raises(Reservation.DoesNotExist):
        services.reservation_cancel(reservation_id=reservation.pk, user=non_anggota)


# --- Reschedule ---------------------------------------------------------------------


def test_reschedule_moves_the_party_and_issues_a_new_code(week, anggota):
    old_session, new_session = session_at(TUESDAY, 9), session_at(TUESDAY, 13)
    old = book(anggota, old_session, [Child("Dewi", 7)])
    new = services.reservation_reschedule(reservation_id=old.pk, user=anggota, new_session_id=new_session.pk)
    old.refresh_from_db()
    assert old.status == Reservation.Status.CANCELLED
    assert old.cancel_reason == Reservation.CancelReason.RESCHEDULED
    assert new.session_id == new_session.pk and new.code != old.code
    assert new.rescheduled_from_id == old.pk
    assert [c.name for c in new.children.all()] == ["Dewi"]
    assert (fresh(old_session).booked, fresh(new_session).booked) == (0, 2)
    # Asking again (double submit) returns the same new reservation.
    again = services.reservation_reschedule(reservation_id=old.pk, user=anggota, new_session_id=new_session.pk)
    assert again.pk == new.pk


def test_reschedule_to_a_full_session_keeps_the_old_place(frozen, anggota):
    old_session = session_make(day=TUESDAY, hour=9)
    full = session_make(day=TUESDAY, hour=13, capacity=5, booked=5)
    old = book(anggota, old_session)
    with pytest.raises(errors.QuotaFull):
        services.reservation_reschedule(reservation_id=old.pk, user=anggota, new_session_id=full.pk)
    old.refresh_from_db()
    assert old.is_active
    assert (fresh(old_session).booked, fresh(full).booked) == (1, 5)
    assert Reservation.objects.count() == 1


def test_reschedule_rolls_back_when_the_counter_refuses(frozen, anggota, monkeypatch):
    # The new session is "free" by the early check but the conditional UPDATE refuses:
    # the release of the old place (done first: lower id) must be rolled back too.
    old_session = session_make(day=TUESDAY, hour=9)
    new_session = session_make(day=TUESDAY, hour=13, capacity=5)
    old = book(anggota, old_session)
    monkeypatch.setattr(services.quota, "quota_take", lambda **kwargs: False)
    with pytest.raises(errors.QuotaFull):
        services.reservation_reschedule(reservation_id=old.pk, user=anggota, new_session_id=new_session.pk)
    old.refresh_from_db()
    assert old.is_active
    assert (fresh(old_session).booked, fresh(new_session).booked) == (1, 0)


def test_reschedule_to_the_same_session_or_an_already_booked_one(week, anggota):
    a, b = session_at(TUESDAY, 9), session_at(TUESDAY, 13)
    first = book(anggota, a)
    book(anggota, b)
    with pytest.raises(errors.SameSession):
        services.reservation_reschedule(reservation_id=first.pk, user=anggota, new_session_id=a.pk)
    with pytest.raises(errors.AlreadyBooked):
        services.reservation_reschedule(reservation_id=first.pk, user=anggota, new_session_id=b.pk)


def test_reschedule_respects_the_window_and_last_check_in(week, anggota, frozen):
    reservation = book(anggota, session_at(TUESDAY, 9))
    beyond = session_make(day=MONDAY + datetime.timedelta(days=7))
    with pytest.raises(errors.NotYetOpen):
        services.reservation_reschedule(reservation_id=reservation.pk, user=anggota, new_session_id=beyond.pk)
    frozen.move_to("2026-06-08 05:00:00")
    with pytest.raises(errors.BookingClosed):
        services.reservation_reschedule(
            reservation_id=reservation.pk, user=anggota, new_session_id=session_at(MONDAY, 9).pk
        )


def test_reschedule_does_not_count_against_the_limit(week, anggota):
    reservations = [book(anggota, session_at(MONDAY + datetime.timedelta(days=d), 9)) for d in (1, 2, 3)]
    new = services.reservation_reschedule(
        reservation_id=reservations[0].pk, user=anggota, new_session_id=session_at(TUESDAY, 13).pk
    )
    assert new.is_active


# --- Staff: capacity and closing ---------------------------------------------------


def test_capacity_never_below_places_taken(week, anggota):
    session = session_at(TUESDAY, 9)
    book(anggota, session, [Child("A", 3), Child("B", 5)])
    with pytest.raises(errors.CapacityBelowTaken) as info:
        services.session_capacity_change(session_id=session.pk, capacity=2)
    assert str(info.value) == "Kapasitas tidak boleh kurang dari 3 tempat yang sudah terisi."
    assert fresh(session).capacity == 300
    services.session_capacity_change(session_id=session.pk, capacity=3)
    assert fresh(session).state() == Session.State.FULL
    services.session_capacity_change(session_id=session.pk, capacity=150)
    assert fresh(session).places_left == 147


def test_capacity_cannot_be_negative(week):
    with pytest.raises(errors.InvalidCapacity):
        services.session_capacity_change(session_id=session_at(TUESDAY, 9).pk, capacity=-1)


def test_close_session_cancels_everyone_and_emails_each(week, anggota, non_anggota):
    session = session_at(TUESDAY, 9)
    book(anggota, session, [Child("Dewi", 7)])
    book(non_anggota, session)
    OutboundEmail.objects.all().delete()
    assert services.session_close(session_id=session.pk, reason="Perbaikan listrik") == 2
    session = fresh(session)
    assert session.status == Session.Status.CLOSED and session.booked == 0
    assert not Reservation.objects.filter(session=session, status=Reservation.Status.ACTIVE).exists()
    assert OutboundEmail.objects.filter(kind="visit_cancelled").count() == 2
    assert services.session_close(session_id=session.pk, reason="again") == 0  # already closed


@pytest.mark.parametrize("visitors", [2, 20])
def test_closing_a_session_takes_the_same_queries_however_many_booked(week, visitors, django_assert_num_queries):
    # The session row is locked while it closes: every visitor's email is one INSERT together.
    session = session_at(TUESDAY, 9)
    for _ in range(visitors):
        book(UserFactory(), session)
    with django_assert_num_queries(10):
        assert services.session_close(session_id=session.pk, reason="Perbaikan listrik") == visitors
    assert OutboundEmail.objects.filter(kind="visit_cancelled").count() == visitors


# --- The periodic check -------------------------------------------------------------


def test_quota_check_reports_differences(week, anggota, caplog):
    session = session_at(TUESDAY, 9)
    book(anggota, session, [Child("Dewi", 7)])
    assert services.quota_check() == []
    Session.objects.filter(pk=session.pk).update(booked=5)  # a manual edit gone wrong
    differences = services.quota_check()
    assert [(d.session_id, d.stored, d.actual) for d in differences] == [(session.pk, 5, 2)]
    assert "Quota mismatch" in caplog.text


# --- Reminder -----------------------------------------------------------------------


def test_reminder_is_queued_once_for_tomorrows_active_visits(week, anggota, non_anggota, frozen):
    tomorrow = book(anggota, session_at(TUESDAY, 9))
    cancelled = book(non_anggota, session_at(TUESDAY, 13))
    services.reservation_cancel(reservation_id=cancelled.pk, user=non_anggota)
    book(non_anggota, session_at(MONDAY + datetime.timedelta(days=2), 9))  # not tomorrow
    assert services.reminders_send() == 1
    assert services.reminders_send() == 0
    assert list(OutboundEmail.objects.filter(kind="visit_reminder").values_list("to", flat=True)) == [anggota.email]
    tomorrow.refresh_from_db()
    assert tomorrow.reminder_sent_at is not None


@pytest.mark.parametrize("visitors", [2, 12])
def test_reminders_take_the_same_queries_however_many(week, frozen, visitors, django_assert_num_queries):
    session = session_at(TUESDAY, 9)
    for _ in range(visitors):
        book(UserFactory(), session)
    with django_assert_num_queries(5):  # savepoint, lock + read, mark, one INSERT of emails, release
        assert services.reminders_send() == visitors
    assert OutboundEmail.objects.filter(kind="visit_reminder").count() == visitors
