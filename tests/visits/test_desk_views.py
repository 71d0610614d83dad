"""The desk through HTTP: who may enter, the day list, check-in, walk-in, CSV, print, photo,
blocks, the constant number of queries with 300 reservations, occupancy in the JSON."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from jaklitera.roles import PETUGAS_LAYANAN, VERIFIKATOR
from members.models import Document, DocumentAccess, Member, User
from tests.factories import UserFactory, VerifiedMemberFactory
from visits import services
from visits.models import DeskEvent, GroupVisit, Reservation, Session, VisitBlock
from visits.services import checkin
from visits.services.reservations import Child

from .conftest import MONDAY, session_at

pytestmark = pytest.mark.django_db

DESK = "/petugas/kunjungan/"


def staff_in(*groups):
    user = UserFactory(is_staff=True)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def desk(client):
    user = staff_in(PETUGAS_LAYANAN)
    client.force_login(user)
    return user


def at(frozen, hhmm: str, day=MONDAY):
    hour, minute = map(int, hhmm.split("."))
    frozen.move_to(datetime.datetime(day.year, day.month, day.day, hour - 7, minute))


def book(user, session, children=()):
    return services.reservation_create(user=user, session_id=session.pk, children=children, acknowledged=True)


# --- who may enter ----------------------------------------------------------------------------

DESK_URLS = [DESK, DESK + "ekspor.csv", DESK + "cetak/", DESK + "walk-in/", "/petugas/blokir/"]


@pytest.mark.parametrize("url", DESK_URLS)
def test_only_petugas_layanan_and_superusers_enter(client, week, url):
    assert client.get(url).status_code == 302  # anonymous → login
    for user, expected in [
        (UserFactory(), 403),  # a member
        (UserFactory(is_staff=True), 403),  # staff without a role
        (staff_in(VERIFIKATOR), 403),  # librarians see no visitor list
        (staff_in(VERIFIKATOR, PETUGAS_LAYANAN), 200),
        (staff_in(PETUGAS_LAYANAN), 200),
        (User.objects.create_superuser("root@example.com", "x"), 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == expected, (user, url)


def test_the_permission_alone_without_staff_flag_is_not_enough(client, week):
    user = UserFactory(is_staff=False)
    user.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))
    client.force_login(user)
    assert client.get(DESK).status_code == 403
    assert client.post(DESK + "check-in/", {"code": "X"}).status_code == 403


def test_nav_link_only_for_the_desk(client, week, desk):
    assert "Daftar Kunjungan" in client.get("/").content.decode()
    client.force_login(staff_in(VERIFIKATOR))
    assert "Daftar Kunjungan" not in client.get("/").content.decode()


def test_front_desk_has_no_document_permission():
    group = Group.objects.get(name=PETUGAS_LAYANAN)
    codes = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert ("visits", "use_desk") in codes and ("visits", "view_visitor_photo") in codes
    assert not any(app == "members" for app, _code in codes)


# --- the day list -----------------------------------------------------------------------------


def test_day_list_shows_sessions_counts_and_reservations(client, week, frozen, desk, anggota, non_anggota):
    member = Member.objects.get(user=anggota)
    member.member_number, member.full_name = "2026-000007", "Budi Santoso"
    member.save()
    first = book(anggota, session_at(MONDAY, 9), [Child("Dewi", 7)])
    second = book(non_anggota, session_at(MONDAY, 9))
    book(UserFactory(), session_at(MONDAY, 13))
    at(frozen, "09.05")
    checkin.checkin_scan(staff=desk, text=first.code)
    html = client.get(DESK).content.decode()
    assert "Daftar Kunjungan Hari Ini" in html and "Senin, 8 Juni 2026" in html
    # The session checking in now is selected: its two reservations, not the afternoon's.
    assert "Reservasi sesi 09.00–13.00 WIB" in html
    assert first.code_display in html and second.code_display in html
    assert "Budi Santoso" in html and "2026-000007" in html and "+ 1 Anak" in html
    assert "Sudah check-in" in html and "Belum datang" in html and "09.05" in html
    # Counts: 3 booked, 2 checked in, 297 left; 2 people inside now.
    assert '<strong class="inside-count">2</strong>' in html
    assert "<dd>3<small>/300</small></dd>" in html and "<dd>297</dd>" in html


def test_search_and_filters(client, week, frozen, desk, anggota, non_anggota):
    Member.objects.filter(user=anggota).update(full_name="Budi Santoso", member_number="2026-000008")
    a = book(anggota, session_at(MONDAY, 9))
    b = book(non_anggota, session_at(MONDAY, 13))
    at(frozen, "09.05")
    checkin.checkin_scan(staff=desk, text=a.code)

    def codes(**params):
        html = client.get(DESK, {"sesi": "semua", **params}).content.decode()
        return {r.code_display for r in (a, b) if r.code_display in html}

    assert codes() == {a.code_display, b.code_display}
    assert codes(q="budi") == {a.code_display}
    assert codes(q="2026-000008") == {a.code_display}
    assert codes(q=b.code.lower()) == {b.code_display}
    assert codes(q="0" + non_anggota.phone[3:]) == {b.code_display}
    assert codes(status="CHECKED_IN") == {a.code_display}
    assert codes(status="EXPECTED") == {b.code_display}
    assert codes(sesi=str(session_at(MONDAY, 13).pk)) == {b.code_display}
    # Another date: no check-in box, the list still works.
    html = client.get(DESK, {"tanggal": "2026-06-09"}).content.decode()
    assert 'name="code"' not in html and "Selasa, 9 Juni 2026" in html


def test_day_list_query_count_is_constant_with_300_reservations_and_groups(
    client, week, frozen, desk, django_assert_num_queries, django_assert_max_num_queries
):
    session = session_at(MONDAY, 9)
    at(frozen, "09.05")
    # 9 with an empty day (the Rombongan rows are one of them), and no more with 300 + 20 groups.
    with django_assert_num_queries(9) as baseline:
        client.get(DESK)
    users = User.objects.bulk_create(
        [User(email=f"v{i}@example.com", phone=f"+62813{i:08d}", is_active=True) for i in range(300)]
    )
    Member.objects.bulk_create(
        [Member(user=u, full_name=f"Pengunjung {i}", member_number=f"2026-{i:06d}") for i, u in enumerate(users[:150])]
    )
    Reservation.objects.bulk_create(
        [
            Reservation(code=f"Q{i:07d}", session=session, user=u, category="NON_ANGGOTA", party_size=1)
            for i, u in enumerate(users)
        ]
    )
    Reservation.objects.filter(code__lt="Q0000100").update(attendance="CHECKED_IN", checked_in_at=session.starts_at)
    # Rombongan on the same list: 20 groups in the session, 10 of them checked in (one row each).
    GroupVisit.objects.bulk_create(
        [
            GroupVisit(
                requester=users[i],
                institution_name=f"Sekolah {i}",
                institution_type="SCHOOL",
                contact_name="Guru",
                contact_phone="+6281234567890",
                participants=10,
                age_group="PRIMARY",
                purpose="-",
                session=session,
                status="CHECKED_IN" if i % 2 else "APPROVED",
                places_held=8 if i % 2 else 10,
                present=8 if i % 2 else None,
                checked_in_at=session.starts_at if i % 2 else None,
                code=f"G{i:07d}",
                decide_by=session.starts_at,
            )
            for i in range(20)
        ]
    )
    Session.objects.filter(pk=session.pk).update(capacity=500, booked=300 + 180)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(DESK)
    html = response.content.decode()
    assert html.count('<tr class="row-') == 320 and html.count("row-group") == 20
    assert "Pengunjung 149" in html and "v299@example.com" in html and "Sekolah 19" in html
    # 100 reservations + 10 groups × 8 present inside; 200 + 10 × 10 expected.
    assert '<strong class="inside-count">180</strong>' in html and "300 orang belum datang" in html
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert client.get(DESK, {"sesi": "semua", "q": "pengunjung"}).status_code == 200
    with django_assert_max_num_queries(7):
        response = client.get(DESK + "ekspor.csv")
    assert response.content.decode("utf-8-sig").count("Rombongan") == 20


# --- check-in through the page ------------------------------------------------------------------


def test_scan_ok_then_already(client, week, frozen, desk, anggota):
    reservation = book(anggota, session_at(MONDAY, 9), [Child("Dewi", 7)])
    at(frozen, "10.02")
    response = client.post(DESK + "check-in/", {"code": reservation.code_display, "next": DESK}, follow=True)
    html = response.content.decode()
    assert 'data-result="ok"' in html and "Check-in berhasil: 2 orang." in html and "Dewi (7)" in html
    html = client.post(DESK + "check-in/", {"code": reservation.code, "next": DESK}, follow=True).content.decode()
    assert 'data-result="already"' in html and "Sudah check-in pukul 10.02 WIB." in html
    assert DeskEvent.objects.filter(reservation=reservation).count() == 1


def test_scan_outside_window_offers_a_recorded_override(client, week, frozen, desk, anggota):
    reservation = book(anggota, session_at(MONDAY, 9))
    at(frozen, "12.10")
    html = client.post(DESK + "check-in/", {"code": reservation.code}, follow=True).content.decode()
    assert 'data-result="too_late"' in html and "Tetap check-in" in html
    data = {"code": reservation.code, "override": "True", "note": "Kereta terlambat"}
    html = client.post(DESK + "check-in/", data, follow=True).content.decode()
    assert 'data-result="ok"' in html
    event = DeskEvent.objects.get(reservation=reservation)
    assert event.action == DeskEvent.Action.OVERRIDE and "Kereta terlambat" in event.note


def test_scan_unknown_code(client, week, frozen, desk):
    at(frozen, "09.10")
    html = client.post(DESK + "check-in/", {"code": "nonsense"}, follow=True).content.decode()
    assert 'data-result="not_found"' in html and "Kode tidak ditemukan" in html


def test_next_must_stay_on_this_site(client, week, frozen, desk):
    response = client.post(DESK + "check-in/", {"code": "X", "next": "https://evil.example/"})
    assert response["Location"] == DESK


def test_undo_from_the_page(client, week, frozen, desk, anggota):
    reservation = book(anggota, session_at(MONDAY, 9))
    at(frozen, "09.10")
    checkin.checkin_scan(staff=desk, text=reservation.code)
    response = client.post(DESK + "batal-check-in/", {"reservation": reservation.pk}, follow=True)
    assert f"Check-in {reservation.code_display} dibatalkan." in response.content.decode()
    reservation.refresh_from_db()
    assert reservation.attendance == "EXPECTED"


def test_member_photo_for_todays_reservation_only_and_logged(client, week, frozen, desk):
    member = VerifiedMemberFactory()
    photo = _document(member, Document.Kind.PHOTO)
    _document(member, Document.Kind.KTP)
    today = book(member.user, session_at(MONDAY, 9))
    tomorrow = book(member.user, session_at(MONDAY + datetime.timedelta(days=1), 9))
    at(frozen, "09.10")
    response = client.get(f"{DESK}{today.code}/foto/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    access = DocumentAccess.objects.get()
    assert (access.document_id, access.viewer_id, access.document_kind) == (photo.pk, desk.pk, "PHOTO")
    assert client.get(f"{DESK}{tomorrow.code}/foto/").status_code == 404
    # The photo permission does not open the private documents (KTP) view.
    ktp = Document.objects.get(kind="KTP")
    assert client.get(reverse("members:document", args=[ktp.pk])).status_code == 404
    # Without the photo permission: 403.
    client.force_login(_desk_without_photo())
    assert client.get(f"{DESK}{today.code}/foto/").status_code == 403


def _desk_without_photo():
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="use_desk"))
    return user


def _document(member, kind):
    from jaklitera.uploads import CleanFile
    from members.services.documents import NewFiles, documents_replace

    content = b"\xff\xd8\xff\xe0fake-jpeg"
    with NewFiles() as new_files:
        return documents_replace(
            member=member,
            files={kind: CleanFile(content=content, content_type="image/jpeg", width=300, height=400)},
            new_files=new_files,
        )[kind]


# --- walk-in ------------------------------------------------------------------------------------


def test_walkin_form_registers_a_guest(client, week, frozen, desk):
    at(frozen, "09.10")
    session = session_at(MONDAY, 9)
    html = client.get(DESK + "walk-in/").content.decode()
    assert "09.00–13.00 WIB · sisa 300 tempat" in html
    data = {"session": session.pk, "guest_name": "Rina Wati", "guest_phone": "0812 9999 8888", "children": "1"}
    response = client.post(DESK + "walk-in/", data, follow=True)
    html = response.content.decode()
    assert 'data-result="ok"' in html and "Walk-in terdaftar dan sudah check-in: 2 orang." in html
    walkin = Reservation.objects.get(is_walk_in=True)
    assert (walkin.guest_name, walkin.guest_phone, walkin.party_size) == ("Rina Wati", "+6281299998888", 2)
    session.refresh_from_db()
    assert session.booked == 2


def test_walkin_form_errors(client, week, frozen, desk):
    at(frozen, "09.10")
    session = session_at(MONDAY, 9)
    response = client.post(DESK + "walk-in/", {"session": session.pk, "account": "nobody@example.com", "children": 0})
    assert response.status_code == 400 and "Akun tidak ditemukan" in response.content.decode()
    response = client.post(DESK + "walk-in/", {"session": session.pk, "children": 0})
    assert response.status_code == 400 and "Isi akun yang ada, atau nama tamu." in response.content.decode()
    Session.objects.filter(pk=session.pk).update(capacity=1, booked=1)
    data = {"session": session.pk, "guest_name": "Rina", "guest_phone": "081299998888", "children": 0}
    response = client.post(DESK + "walk-in/", data)
    assert response.status_code == 409 and "Sesi ini sudah penuh" in response.content.decode()
    at(frozen, "12.40")  # between the sessions' windows? 13.00 opens at 12.30: allowed
    assert "13.00–17.00 WIB" in client.get(DESK + "walk-in/").content.decode()


# --- CSV and print --------------------------------------------------------------------------------


def test_csv_export_is_excel_friendly(client, week, frozen, desk, anggota):
    Member.objects.filter(user=anggota).update(full_name="Siti Nurhaliza Ñoño", member_number="2026-000009")
    reservation = book(anggota, session_at(MONDAY, 9), [Child("Dewi", 7)])
    evil = UserFactory()
    Member.objects.create(user=evil, full_name="=HYPERLINK(1)")
    book(evil, session_at(MONDAY, 13))
    at(frozen, "09.10")
    checkin.checkin_scan(staff=desk, text=reservation.code)
    response = client.get(DESK + "ekspor.csv", {"tanggal": "2026-06-08"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="kunjungan-2026-06-08.csv"' in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the names right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Tanggal", "Sesi", "Kode reservasi", "Nama"]
    assert rows[1] == [
        "2026-06-08",
        "09.00–13.00",
        reservation.code_display,
        "Siti Nurhaliza Ñoño",
        "Anggota",
        "1",
        "2",
        "2026-000009",
        rows[1][8],
        "Sudah check-in",
        "09.10",
        "",
    ]
    assert rows[1][8].startswith("0812")
    assert rows[2][3] == "'=HYPERLINK(1)"  # a formula stays text
    # One session only.
    afternoon = session_at(MONDAY, 13)
    text = client.get(DESK + "ekspor.csv", {"sesi": afternoon.pk}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2 and rows[1][1] == "13.00–17.00"


def test_printable_list(client, week, frozen, desk, anggota):
    reservation = book(anggota, session_at(MONDAY, 9))
    html = client.get(DESK + "cetak/", {"tanggal": "2026-06-08"}).content.decode()
    assert "Sesi 09.00–13.00 WIB" in html and "Sesi 13.00–17.00 WIB" in html
    assert reservation.code_display in html and "desk-print.css" in html and "<script" in html
    assert "onclick" not in html  # CSP: no inline script


# --- blocks, Kunjungan Saya, booking form, JSON -------------------------------------------------------


def _block(user, today=MONDAY):
    return VisitBlock.objects.create(
        user=user, starts_on=today, ends_on=today + datetime.timedelta(days=13), noshow_count=3
    )


def test_visitor_sees_the_block_with_dates_before_trying(client, week, frozen, non_anggota):
    _block(non_anggota)
    client.force_login(non_anggota)
    html = client.get(reverse("visits:my_visits")).content.decode()
    assert "sampai dengan Minggu, 21 Juni 2026" in html and "mulai Senin, 22 Juni 2026" in html
    html = client.get(reverse("visits:reservation_create", args=[session_at(MONDAY, 13).pk])).content.decode()
    assert "Anda tidak dapat memesan kunjungan" in html and "Pesan Sekarang" not in html


def test_staff_lift_a_block_from_the_page(client, week, frozen, desk, non_anggota):
    block = _block(non_anggota)
    html = client.get("/petugas/blokir/").content.decode()
    assert non_anggota.email in html and "21 Juni 2026" in html
    assert client.post(f"/petugas/blokir/{block.pk}/cabut/", {"reason": ""}).status_code == 302
    block.refresh_from_db()
    assert block.lifted_at is None
    response = client.post(f"/petugas/blokir/{block.pk}/cabut/", {"reason": "Salah catat"}, follow=True)
    assert "Blokir dicabut" in response.content.decode()
    block.refresh_from_db()
    assert block.lifted_by == desk and block.lift_reason == "Salah catat"
    client.force_login(staff_in(VERIFIKATOR))
    assert client.post(f"/petugas/blokir/{block.pk}/cabut/", {"reason": "x"}).status_code == 403


def test_history_says_who_came(client, week, frozen, anggota):
    came = book(anggota, session_at(MONDAY, 9))
    Reservation.objects.filter(pk=came.pk).update(attendance="NO_SHOW")
    at(frozen, "18.00")
    client.force_login(anggota)
    assert "Tidak hadir" in client.get(reverse("visits:my_visits")).content.decode()


def test_json_gains_occupancy(client, week, frozen, desk, anggota, django_assert_max_num_queries):
    reservation = book(anggota, session_at(MONDAY, 9), [Child("Dewi", 7)])
    book(UserFactory(), session_at(MONDAY, 9))
    at(frozen, "09.10")
    checkin.checkin_scan(staff=desk, text=reservation.code)
    with django_assert_max_num_queries(1):
        data = client.get(reverse("visits:sessions_api"), {"date": "2026-06-08"}).json()
    assert data["inside_now"] == 2
    morning, afternoon = data["sessions"]
    assert (morning["checked_in"], morning["inside"]) == (2, 2)
    assert (afternoon["checked_in"], afternoon["inside"]) == (0, 0)
