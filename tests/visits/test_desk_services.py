"""The desk's services: check-in rules and messages, undo, walk-ins through the quota,
no-shows, booking blocks and lifting them."""

import datetime

import pytest
from django.test import override_settings

from tests.factories import UserFactory, VerifiedMemberFactory
from visits import desk_errors, errors, services
from visits.models import DeskEvent, Reservation, Session, VisitBlock
from visits.services import checkin, noshows, walkins
from visits.services.reservations import Child

from .conftest import MONDAY, session_at

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def book(user, session, children=()):
    return services.reservation_create(user=user, session_id=session.pk, children=children, acknowledged=True)


def at(frozen, hhmm: str, day=MONDAY):
    hour, minute = map(int, hhmm.split("."))
    frozen.move_to(datetime.datetime(day.year, day.month, day.day, hour - 7, minute))


# --- check-in -------------------------------------------------------------------------------


def test_checkin_by_code_counts_the_party_once(week, frozen, anggota, staff):
    reservation = book(anggota, session_at(MONDAY, 9), [Child("Dewi", 7)])
    at(frozen, "10.02")
    done = checkin.checkin_scan(staff=staff, text=reservation.code_display.lower())
    assert done.pk == reservation.pk and done.is_checked_in
    with pytest.raises(desk_errors.AlreadyCheckedIn) as second:
        checkin.checkin_scan(staff=staff, text=reservation.code)
    assert str(second.value) == "Sudah check-in pukul 10.02 WIB."
    assert second.value.outcome == "already" and not second.value.overridable
    reservation.refresh_from_db()
    assert reservation.attendance == Reservation.Attendance.CHECKED_IN
    assert DeskEvent.objects.filter(reservation=reservation, action=DeskEvent.Action.CHECK_IN).count() == 1


def test_checkin_by_member_card_finds_the_current_session(week, frozen, staff):
    member = VerifiedMemberFactory(member_number="2026-000042")
    morning = book(member.user, session_at(MONDAY, 9))
    book(member.user, session_at(MONDAY, 13))
    at(frozen, "09.15")
    assert checkin.checkin_scan(staff=staff, text=" 2026-000042 ").pk == morning.pk


def test_member_without_reservation_today(week, frozen, staff):
    member = VerifiedMemberFactory(member_number="2026-000043")
    book(member.user, session_at(TUESDAY, 9))
    at(frozen, "09.15")
    with pytest.raises(desk_errors.MemberHasNoReservation, match="tidak memiliki reservasi hari ini"):
        checkin.checkin_scan(staff=staff, text="2026-000043")


def test_not_found_cancelled_and_wrong_day(week, frozen, anggota, non_anggota, staff):
    at(frozen, "09.15")
    with pytest.raises(desk_errors.NotFound, match="Kode tidak ditemukan"):
        checkin.checkin_scan(staff=staff, text="ZZZZ-ZZZZ")
    with pytest.raises(desk_errors.NotFound):
        checkin.checkin_scan(staff=staff, text="   ")
    cancelled = book(anggota, session_at(MONDAY, 13))
    services.reservation_cancel(reservation_id=cancelled.pk, user=anggota)
    with pytest.raises(desk_errors.ReservationCancelled, match=r"sudah dibatalkan \(Dibatalkan pengunjung\)"):
        checkin.checkin_scan(staff=staff, text=cancelled.code)
    tomorrow = book(non_anggota, session_at(TUESDAY, 9))
    with pytest.raises(desk_errors.WrongDay) as wrong_day:
        checkin.checkin_scan(staff=staff, text=tomorrow.code, override=True)  # not overridable
    assert str(wrong_day.value) == "Salah hari: reservasi ini untuk Selasa, 9 Juni 2026, 09.00–13.00 WIB."
    assert not Reservation.objects.filter(attendance=Reservation.Attendance.CHECKED_IN).exists()


@pytest.mark.parametrize(
    ("hhmm", "error", "message"),
    [
        ("08.29", desk_errors.TooEarly, "Belum waktunya: check-in sesi 09.00–13.00 WIB dibuka pukul 08.30 WIB."),
        ("12.01", desk_errors.TooLate, "Terlambat: batas check-in sesi 09.00–13.00 WIB pukul 12.00 WIB sudah lewat."),
    ],
)
def test_window_and_recorded_override(week, frozen, anggota, staff, hhmm, error, message):
    reservation = book(anggota, session_at(MONDAY, 9))
    at(frozen, hhmm)
    with pytest.raises(error) as refused:
        checkin.checkin_scan(staff=staff, text=reservation.code)
    assert str(refused.value) == message and refused.value.overridable
    checkin.checkin_scan(staff=staff, text=reservation.code, override=True, note="Antre sejak pagi")
    event = DeskEvent.objects.get(reservation=reservation)
    assert event.action == DeskEvent.Action.OVERRIDE and event.staff == staff
    assert message in event.note and "Antre sejak pagi" in event.note


def test_window_opens_earlier_when_configured(week, frozen, anggota, staff):
    reservation = book(anggota, session_at(MONDAY, 9))
    at(frozen, "08.05")
    with override_settings(VISITS_CHECKIN_OPENS_MINUTES_BEFORE=60):
        assert checkin.checkin_scan(staff=staff, text=reservation.code).is_checked_in


def test_wrong_session_while_another_checks_in(week, frozen, anggota, staff):
    afternoon = book(anggota, session_at(MONDAY, 13))
    at(frozen, "10.00")
    with pytest.raises(desk_errors.WrongSession) as refused:
        checkin.checkin_scan(staff=staff, text=afternoon.code)
    assert str(refused.value) == "Salah sesi: reservasi ini untuk sesi 13.00–17.00 WIB (check-in mulai 12.30 WIB)."
    at(frozen, "12.30")
    assert checkin.checkin_scan(staff=staff, text=afternoon.code).is_checked_in


def test_undo_is_recorded_and_allows_a_new_checkin(week, frozen, anggota, staff):
    reservation = book(anggota, session_at(MONDAY, 9))
    at(frozen, "09.00")
    checkin.checkin_scan(staff=staff, text=reservation.code)
    undone = checkin.checkin_undo(staff=staff, reservation_id=reservation.pk, note="Salah orang")
    assert undone.attendance == Reservation.Attendance.EXPECTED and undone.checked_in_at is None
    assert DeskEvent.objects.filter(action=DeskEvent.Action.UNDO, note="Salah orang").count() == 1
    with pytest.raises(desk_errors.NotCheckedIn):
        checkin.checkin_undo(staff=staff, reservation_id=reservation.pk)
    assert checkin.checkin_scan(staff=staff, text=reservation.code).is_checked_in


# --- walk-ins -------------------------------------------------------------------------------


def test_walkin_guest_takes_places_and_is_checked_in(week, frozen, staff):
    session = session_at(MONDAY, 9)
    at(frozen, "09.10")
    walkin = walkins.walkin_register(staff=staff, guest_name="Rina", guest_phone="+6281299998888", children=2)
    assert walkin.session == session and walkin.user is None and walkin.is_walk_in
    assert walkin.is_checked_in and walkin.party_size == 3
    assert walkin.category == Reservation.Category.NON_ANGGOTA
    session.refresh_from_db()
    assert session.booked == 3
    assert services.quota_check() == []
    assert DeskEvent.objects.get(reservation=walkin).action == DeskEvent.Action.WALK_IN
    # Undoing a walk-in cancels it and gives the places back.
    checkin.checkin_undo(staff=staff, reservation_id=walkin.pk)
    session.refresh_from_db()
    assert session.booked == 0
    walkin.refresh_from_db()
    assert walkin.status == Reservation.Status.CANCELLED


def test_walkin_cannot_overbook(week, frozen, staff):
    session = session_at(MONDAY, 9)
    Session.objects.filter(pk=session.pk).update(capacity=4, booked=2)
    at(frozen, "09.10")
    with pytest.raises(errors.QuotaFull):
        walkins.walkin_register(staff=staff, guest_name="Rina", guest_phone="+6281299998888", children=2)
    walkins.walkin_register(staff=staff, guest_name="Rina", guest_phone="+6281299998888", children=1)
    with pytest.raises(errors.QuotaFull):
        walkins.walkin_register(staff=staff, guest_name="Sari", guest_phone="+6281299998889")
    session.refresh_from_db()
    assert session.booked == 4 == session.capacity


def test_walkin_for_an_account_and_its_rules(week, frozen, staff):
    member = VerifiedMemberFactory(member_number="2026-000050")
    user = member.user
    assert walkins.visitor_lookup(text="2026-000050") == user
    assert walkins.visitor_lookup(text=user.email.upper()) == user
    assert walkins.visitor_lookup(text="0" + user.phone[3:]) == user
    assert walkins.visitor_lookup(text="nobody@example.com") is None
    at(frozen, "08.00")
    with pytest.raises(desk_errors.WalkinNotOpen):
        walkins.walkin_register(staff=staff, user=user)
    at(frozen, "09.10")
    walkin = walkins.walkin_register(staff=staff, user=user)
    assert walkin.category == Reservation.Category.ANGGOTA and walkin.guest_name == ""
    with pytest.raises(desk_errors.WalkinAlreadyBooked, match=walkin.code_display):
        walkins.walkin_register(staff=staff, user=user)


# --- no-shows and blocks ----------------------------------------------------------------------


def _noshow_days(user, frozen, days):
    """Book and miss the morning session of each day (booked the day before, marked after 12.00)."""
    for day in days:
        at(frozen, "08.00", day - datetime.timedelta(days=1))
        services.sessions_generate()
        book(user, session_at(day, 9))
        at(frozen, "12.05", day)
        noshows.noshows_mark()


def test_noshow_job_marks_only_those_who_did_not_come(week, frozen, anggota, non_anggota, staff):
    came = book(anggota, session_at(MONDAY, 9))
    missed = book(non_anggota, session_at(MONDAY, 9))
    later = book(UserFactory(), session_at(MONDAY, 13))
    at(frozen, "09.30")
    checkin.checkin_scan(staff=staff, text=came.code)
    assert noshows.noshows_mark() == 0  # last check-in 12.00 not passed yet
    at(frozen, "12.01")
    assert noshows.noshows_mark() == 1
    assert noshows.noshows_mark() == 0  # again: nothing new
    states = dict(Reservation.objects.values_list("pk", "attendance"))
    assert states == {came.pk: "CHECKED_IN", missed.pk: "NO_SHOW", later.pk: "EXPECTED"}
    # A late arrival with override still gets in (and stays checked in).
    checkin.checkin_scan(staff=staff, text=missed.code, override=True)
    assert Reservation.objects.get(pk=missed.pk).is_checked_in


def test_three_noshows_in_30_days_block_booking_for_14_days(week, frozen, non_anggota, staff):
    user = non_anggota
    _noshow_days(user, frozen, [MONDAY, MONDAY + datetime.timedelta(days=3)])
    assert not VisitBlock.objects.exists()
    third = MONDAY + datetime.timedelta(days=6)  # Sunday 14 June
    _noshow_days(user, frozen, [third])
    block = VisitBlock.objects.get(user=user)
    assert (block.starts_on, block.ends_on, block.noshow_count) == (third, third + datetime.timedelta(days=13), 3)
    at(frozen, "13.00", third)
    services.sessions_generate()
    with pytest.raises(desk_errors.BookingBlocked) as refused:
        book(user, session_at(third + datetime.timedelta(days=1), 9))
    assert str(refused.value) == (
        "Anda tidak dapat memesan kunjungan dari Minggu, 14 Juni 2026 sampai dengan Sabtu, 27 Juni 2026 karena "
        "3 kali tidak hadir tanpa pembatalan. Pemesanan dapat dilakukan lagi mulai Minggu, 28 Juni 2026."
    )
    # Walk-ins too, with a message for staff.
    at(frozen, "13.10", third)
    with pytest.raises(desk_errors.VisitorBlocked, match="diblokir sampai dengan Sabtu, 27 Juni 2026"):
        walkins.walkin_register(staff=staff, user=user)
    # The block ends by itself.
    at(frozen, "08.00", third + datetime.timedelta(days=14))
    services.sessions_generate()
    assert book(user, session_at(third + datetime.timedelta(days=14), 9))


def test_noshows_older_than_30_days_do_not_count(week, frozen, non_anggota):
    _noshow_days(non_anggota, frozen, [MONDAY, MONDAY + datetime.timedelta(days=20)])
    _noshow_days(non_anggota, frozen, [MONDAY + datetime.timedelta(days=31)])
    assert not VisitBlock.objects.exists()


def test_staff_lift_a_block_and_it_is_recorded(week, frozen, non_anggota, staff):
    days = [MONDAY, MONDAY + datetime.timedelta(days=1), MONDAY + datetime.timedelta(days=2)]
    _noshow_days(non_anggota, frozen, days)
    block = VisitBlock.objects.get(user=non_anggota)
    lifted = noshows.block_lift(block_id=block.pk, staff=staff, reason="Sakit, ada surat dokter")
    assert lifted.lifted_by == staff and lifted.lifted_at is not None
    event = DeskEvent.objects.get(action=DeskEvent.Action.BLOCK_LIFTED)
    assert event.block_id == block.pk and event.note == "Sakit, ada surat dokter"
    with pytest.raises(desk_errors.BlockNotActive):
        noshows.block_lift(block_id=block.pk, staff=staff, reason="lagi")
    services.sessions_generate()
    assert book(non_anggota, session_at(days[-1] + datetime.timedelta(days=1), 13))
    # The no-shows that caused the lifted block do not count again: one more is not a new block.
    _noshow_days(non_anggota, frozen, [days[-1] + datetime.timedelta(days=2)])
    assert VisitBlock.objects.filter(user=non_anggota).count() == 1
