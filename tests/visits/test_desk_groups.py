"""Rombongan at the desk: one row per group on the day list, counts and occupancy with groups,
check-in by group code with the number present (same window and recorded override as
reservations), CSV and print. Services and HTTP."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from visits import desk_errors, errors, services
from visits.models import DeskEvent, GroupVisit, Session
from visits.selectors_desk import desk_day, occupancy_now, session_summaries
from visits.services import checkin

from .conftest import MONDAY, group_approved, session_at
from .test_desk_views import DESK, at, book, staff_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def staff():
    from jaklitera.roles import PETUGAS_LAYANAN

    return staff_in(PETUGAS_LAYANAN)


@pytest.fixture
def desk(client, staff):
    client.force_login(staff)
    return staff


@pytest.fixture
def group(week):
    """SDN Cikini 01, 35 people (30 children), approved for Monday 09.00 (made at 08.00)."""
    return group_approved(session_at(MONDAY, 9))


def booked(session) -> int:
    return Session.objects.get(pk=session.pk).booked


# --- services ---------------------------------------------------------------------------------------


def test_scan_of_a_group_code_asks_how_many_came_then_checks_in_and_releases(week, frozen, group, staff):
    session = session_at(MONDAY, 9)
    assert booked(session) == 35
    at(frozen, "09.05")
    with pytest.raises(desk_errors.GroupPresentNeeded) as asked:
        checkin.checkin_scan(staff=staff, text=group.code_display.lower())
    assert asked.value.group_visit.pk == group.pk and not asked.value.overridable
    with pytest.raises(desk_errors.GroupPresentNeeded, match="Jumlah hadir 1–35 orang"):
        checkin.checkin_scan(staff=staff, text=group.code, present=36)
    done = checkin.checkin_scan(staff=staff, text=group.code, present=30)
    assert isinstance(done, GroupVisit)
    assert (done.status, done.present, done.places_held) == ("CHECKED_IN", 30, 30)
    assert booked(session) == 30  # 5 places back for walk-ins at once
    assert services.quota_check() == []
    event = DeskEvent.objects.get(group_visit=group)
    assert (event.action, event.staff, event.reservation) == (DeskEvent.Action.CHECK_IN, staff, None)
    # Once: the second scan says when.
    with pytest.raises(desk_errors.AlreadyCheckedIn, match=r"Sudah check-in pukul 09\.05 WIB"):
        checkin.checkin_scan(staff=staff, text=group.code, present=30)


def test_group_checkin_uses_the_checkin_window_and_records_the_override(week, frozen, group, staff):
    at(frozen, "08.10")  # check-in of the 09.00 session opens at 08.30
    with pytest.raises(desk_errors.TooEarly, match=r"dibuka pukul 08\.30 WIB"):
        services.group_checkin(request_code=group.code, staff=staff)
    with pytest.raises(desk_errors.TooEarly) as early:
        checkin.checkin_scan(staff=staff, text=group.code)
    assert early.value.group_visit.pk == group.pk and early.value.overridable
    # Override without the number yet: the desk asks for it, still as an override.
    with pytest.raises(desk_errors.GroupPresentNeeded) as asked:
        checkin.checkin_scan(staff=staff, text=group.code, override=True)
    assert asked.value.overridable
    done = checkin.checkin_scan(staff=staff, text=group.code, override=True, note="Bus datang awal", present=35)
    assert done.status == "CHECKED_IN" and done.present == 35
    event = DeskEvent.objects.get(group_visit=group)
    assert event.action == DeskEvent.Action.OVERRIDE and event.staff == staff
    assert "Belum waktunya" in event.note and "Bus datang awal" in event.note
    assert "Bus datang awal" in group.events.get(action="CHECKED_IN").note


def test_group_too_late_wrong_day_and_cancelled(week, frozen, staff):
    late = group_approved(session_at(MONDAY, 9))
    tuesday = group_approved(session_at(MONDAY + datetime.timedelta(days=1), 9), institution_name="SMP 1")
    gone = group_approved(session_at(MONDAY + datetime.timedelta(days=2), 9), institution_name="SMA 3")
    services.group_visit_cancel(group_visit_id=gone.pk, requester=gone.requester)
    at(frozen, "12.10")
    with pytest.raises(desk_errors.TooLate):
        services.group_checkin(request_code=late.code, staff=staff)
    with pytest.raises(desk_errors.WrongDay, match="Salah hari: rombongan ini"):
        checkin.checkin_scan(staff=staff, text=tuesday.code, present=10, override=True)
    with pytest.raises(errors.GroupCheckinNotAllowed):  # still the group service's error
        services.group_checkin(request_code=tuesday.code, staff=staff, override=True)
    with pytest.raises(desk_errors.GroupCancelled, match="Dibatalkan"):
        checkin.checkin_scan(staff=staff, text=gone.code)
    with pytest.raises(errors.GroupNotActive):
        services.group_checkin(request_code=gone.code, staff=staff)
    # The late group with a recorded override.
    services.group_checkin(request_code=late.code, staff=staff, override=True, present=20)
    assert DeskEvent.objects.get(group_visit=late).action == DeskEvent.Action.OVERRIDE
    assert services.quota_check() == []


def test_counts_and_inside_now_include_groups(week, frozen, group, staff, anggota):
    session = session_at(MONDAY, 9)
    reservation = book(anggota, session)
    at(frozen, "09.05")
    summary = session_summaries(day=MONDAY)[0]
    assert (summary.booked, summary.places_left, summary.expected, summary.checked_in) == (36, 264, 36, 0)
    assert summary.groups == 1 and summary.reservations == 1
    checkin.checkin_scan(staff=staff, text=reservation.code)
    services.group_checkin(request_code=group.code, present=30, staff=staff)
    summary = session_summaries(day=MONDAY)[0]
    assert (summary.booked, summary.places_left, summary.expected, summary.checked_in) == (31, 269, 0, 31)
    assert occupancy_now() == 31
    at(frozen, "13.30")  # the morning session has ended: nobody inside
    assert occupancy_now() == 0


def test_an_approved_group_not_in_by_the_last_checkin_time_is_a_no_show(week, frozen, group):
    at(frozen, "12.01")
    summary = session_summaries(day=MONDAY)[0]
    assert (summary.no_show, summary.expected) == (35, 0)
    row = desk_day(day=MONDAY, session_id=summary.session.pk).rows[0]
    assert row.is_group and (row.status_key, row.status_label) == ("NO_SHOW", "Tidak hadir")


# --- the page -------------------------------------------------------------------------------------------


def test_day_list_shows_the_group_as_one_row_in_its_session(client, week, frozen, desk, group, anggota):
    book(anggota, session_at(MONDAY, 9))
    at(frozen, "09.05")
    html = client.get(DESK).content.decode()
    assert group.code_display in html and "SDN Cikini 01" in html and "Ibu Ratna" in html
    assert "Rombongan · Sekolah" in html and "+ 30 Anak" in html
    assert html.count('<tr class="row-') == 2 and 'class="row-EXPECTED row-group"' in html
    assert 'name="present" value="35"' in html  # check-in from the row, the whole group by default
    # Terisi 36 (35 + 1), 264 left, 36 still expected.
    assert "<dd>36<small>/300</small></dd>" in html and "<dd>264</dd>" in html
    assert "36 orang belum datang" in html


def test_search_and_filters_find_the_group(client, week, frozen, desk, group, non_anggota):
    other = book(non_anggota, session_at(MONDAY, 13))
    at(frozen, "09.05")

    def codes(**params):
        html = client.get(DESK, {"sesi": "semua", **params}).content.decode()
        return {c for c in (group.code_display, other.code_display) if c in html}

    assert codes() == {group.code_display, other.code_display}
    assert codes(q="cikini") == {group.code_display}
    assert codes(q="ratna") == {group.code_display}
    assert codes(q=group.code.lower()) == {group.code_display}
    assert codes(q="0812-3456-7890") == {group.code_display}
    assert codes(status="EXPECTED") == {group.code_display, other.code_display}
    assert codes(status="CHECKED_IN") == set()
    assert codes(sesi=str(session_at(MONDAY, 13).pk)) == {other.code_display}
    services.group_checkin(request_code=group.code, present=30, staff=desk)
    assert codes(status="CHECKED_IN") == {group.code_display}
    assert codes(status="NO_SHOW") == set()


def test_scan_a_group_code_enter_30_of_35_and_places_return(client, week, frozen, desk, group):
    session = session_at(MONDAY, 9)
    at(frozen, "09.05")
    response = client.post(DESK + "check-in/", {"code": group.code_display, "next": DESK}, follow=True)
    html = response.content.decode()
    assert 'data-result="group"' in html and "ROMBONGAN" in html and "SDN Cikini 01" in html
    assert 'id="group-present" name="present" value="35"' in html and "Check-in rombongan" in html
    assert "<dd>265</dd>" in html  # 300 - 35 held
    data = {"code": group.code, "present": "40", "next": DESK}
    html = client.post(DESK + "check-in/", data, follow=True).content.decode()
    assert 'data-result="group"' in html and "Jumlah hadir 1–35 orang." in html
    data["present"] = "30"
    html = client.post(DESK + "check-in/", data, follow=True).content.decode()
    assert 'data-result="ok"' in html
    assert "Check-in rombongan berhasil: 30 orang hadir. 5 tempat dikembalikan untuk walk-in." in html
    assert "30 dari 35 orang hadir" in html
    assert "<dd>270</dd>" in html  # places left + 5
    assert '<strong class="inside-count">30</strong>' in html
    assert 'class="row-CHECKED_IN row-group"' in html and "09.05" in html
    assert booked(session) == 30
    html = client.post(DESK + "check-in/", data, follow=True).content.decode()
    assert 'data-result="already"' in html and "Sudah check-in pukul 09.05 WIB." in html


def test_group_override_from_the_page(client, week, frozen, desk, group):
    at(frozen, "12.20")
    html = client.post(DESK + "check-in/", {"code": group.code}, follow=True).content.decode()
    assert 'data-result="too_late"' in html and "Tetap check-in" in html and 'name="present"' in html
    data = {"code": group.code, "override": "True", "note": "Macet", "present": "33"}
    html = client.post(DESK + "check-in/", data, follow=True).content.decode()
    assert 'data-result="ok"' in html
    event = DeskEvent.objects.get(group_visit=group)
    assert event.action == DeskEvent.Action.OVERRIDE and "Macet" in event.note


def test_csv_and_print_include_the_group(client, week, frozen, desk, group, anggota):
    book(anggota, session_at(MONDAY, 9))
    at(frozen, "09.10")
    services.group_checkin(request_code=group.code, present=30, staff=desk)
    text = client.get(DESK + "ekspor.csv", {"tanggal": "2026-06-08"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    line = next(r for r in rows if r[2] == group.code_display)
    assert line == [
        "2026-06-08",
        "09.00–13.00",
        group.code_display,
        "SDN Cikini 01",
        "Rombongan · Sekolah",
        "30",
        "30",
        "",
        "0812-3456-7890",
        "Sudah check-in",
        "09.10",
        "",
    ]
    assert len(rows) == 3
    html = client.get(DESK + "cetak/", {"tanggal": "2026-06-08"}).content.decode()
    assert group.code_display in html and "SDN Cikini 01" in html


def test_json_inside_now_counts_the_group_present(client, week, frozen, group, staff):
    at(frozen, "09.10")
    services.group_checkin(request_code=group.code, present=30, staff=staff)
    data = client.get(reverse("visits:sessions_api"), {"date": "2026-06-08"}).json()
    assert data["inside_now"] == 30 and data["sessions"][0]["checked_in"] == 30


def test_pending_groups_are_not_on_the_list_but_hold_places(client, week, frozen, desk):
    from tests.members import samples

    services.group_visit_create(
        requester=UserFactory(),
        institution_name="Komunitas Baca",
        institution_type=GroupVisit.InstitutionType.COMMUNITY,
        contact_name="Pak Budi",
        contact_phone="081234567891",
        participants=20,
        children=0,
        age_group=GroupVisit.AgeGroup.ADULT,
        purpose="Diskusi buku.",
        session_id=session_at(MONDAY, 9).pk,
        alternative_session_id=None,
        letter=samples.upload(samples.pdf_bytes(), "surat.pdf", "application/pdf"),
    )
    at(frozen, "09.05")
    html = client.get(DESK).content.decode()
    assert "Komunitas Baca" not in html and "<dd>280</dd>" in html
