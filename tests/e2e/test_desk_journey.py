"""The front desk on a tablet: Daftar Kunjungan Hari Ini → scan (type) a code + Enter → OK →
the same code again → "sudah check-in" → register a walk-in → export CSV; the same page on a
phone. Screenshots of every step land in test-artifacts/desk-*.png."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from jaklitera.roles import PETUGAS_LAYANAN, roles_sync
from jaklitera.uploads import CleanFile
from members.management.commands.seed_demo import _demo_photo
from members.services.documents import NewFiles, documents_replace
from tests.e2e.helpers import site_login
from tests.factories import UserFactory, VerifiedMemberFactory
from visits import services
from visits.models import Reservation, Session
from visits.services.reservations import Child

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, artifacts_dir, name):
    page.screenshot(path=f"{artifacts_dir}/desk-{name}.png", full_page=True)


@pytest.fixture
def today():
    """A session checking in now (whatever the clock says), with two reservations."""
    now = timezone.now()
    session = Session.objects.create(
        date=timezone.localdate(now),
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=3),
        last_checkin_at=now + datetime.timedelta(hours=2),
        capacity=300,
    )
    member = VerifiedMemberFactory(full_name="Budi Santoso", member_number="2026-000001")
    photo = _demo_photo()
    with NewFiles() as new_files:
        documents_replace(
            member=member,
            files={"PHOTO": CleanFile(content=photo, content_type="image/jpeg", width=600, height=800)},
            new_files=new_files,
        )
    first = services.reservation_create(
        user=member.user, session_id=session.pk, children=[Child("Dewi", 7)], acknowledged=True
    )
    second = services.reservation_create(
        user=UserFactory(email="kawan.perpus.dengan.alamat.email.panjang@example.com"),
        session_id=session.pk,
        acknowledged=True,
    )
    roles_sync()  # an earlier transactional test may have flushed the groups of the data migrations
    desk = UserFactory(email="petugas@example.com", is_staff=True)
    desk.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))
    return session, first, second


def test_desk_checks_in_registers_a_walkin_and_exports(page, screen, live_server, artifacts_dir, today):
    session, first, second = today
    tablet = screen(1024, 768)
    site_login(tablet, live_server, "petugas@example.com", next_path="/petugas/kunjungan/")
    assert "Daftar Kunjungan Hari Ini" in tablet.locator("h1").inner_text()
    assert first.code_display in tablet.locator("main").inner_text()
    scan = tablet.get_by_label("Pindai atau ketik kode reservasi / nomor anggota")
    assert scan.evaluate("el => el === document.activeElement")  # ready for the scanner
    _shot(tablet, artifacts_dir, "01-daftar-tablet")

    # A scanner types the code and presses Enter.
    scan.press_sequentially(first.code.lower())
    scan.press("Enter")
    tablet.wait_for_selector("[data-result=ok]")
    result = tablet.locator(".result").inner_text()
    assert "OK" in result and "Budi Santoso" in result and "2 orang" in result and "Dewi (7)" in result
    assert tablet.get_by_role("img", name="Foto anggota").is_visible()
    tablet.wait_for_function(
        "() => { const img = document.querySelector('.result-photo'); return img.complete && img.naturalWidth > 0; }"
    )
    assert tablet.get_by_label("Pindai atau ketik kode reservasi / nomor anggota").evaluate(
        "el => el === document.activeElement"
    )
    _shot(tablet, artifacts_dir, "02-check-in-ok")

    # The same code again: no second check-in.
    scan = tablet.get_by_label("Pindai atau ketik kode reservasi / nomor anggota")
    scan.press_sequentially(first.code_display)
    scan.press("Enter")
    tablet.wait_for_selector("[data-result=already]")
    assert "sudah check-in" in tablet.locator(".result").inner_text().lower()
    _shot(tablet, artifacts_dir, "03-sudah-check-in")
    assert Reservation.objects.get(pk=first.pk).attendance == "CHECKED_IN"

    # A walk-in without an account.
    tablet.get_by_role("link", name="Daftarkan walk-in").click()
    tablet.wait_for_url("**/walk-in/")
    tablet.get_by_label("Nama tamu (tanpa akun)").fill("Rina Wati")
    tablet.get_by_label("Nomor ponsel tamu").fill("0812 9999 8888")
    tablet.get_by_label("Anak pendamping").fill("1")
    _shot(tablet, artifacts_dir, "04-walk-in")
    tablet.get_by_role("button", name="Daftarkan dan check-in").click()
    tablet.wait_for_selector("[data-result=ok]")
    assert "Walk-in terdaftar" in tablet.locator(".result").inner_text()
    session.refresh_from_db()
    assert session.booked == 2 + 1 + 2
    assert tablet.locator(".inside-count").inner_text() == "4"  # Budi + Dewi + Rina + child
    _shot(tablet, artifacts_dir, "05-walk-in-ok")

    # Export the day as CSV.
    with tablet.expect_download() as download_info:
        tablet.get_by_role("link", name="Ekspor CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("kunjungan-") and download.suggested_filename.endswith(".csv")
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    names = {row[3] for row in rows[1:]}
    assert {"Budi Santoso", "Rina Wati"} <= names and len(rows) == 4

    # The same list on a phone.
    site_login(page, live_server, "petugas@example.com", next_path="/petugas/kunjungan/")
    page.wait_for_selector(".desk-table")
    assert second.code_display in page.locator("main").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    _shot(page, artifacts_dir, "06-daftar-ponsel")
    # No sideways scrolling; on failure, name the elements that stick out.
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(el => el.getBoundingClientRect().right > 360)
            .slice(0, 5)
            .map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))"""
    )
    assert width <= 360, (width, wide)
    _shot(page, artifacts_dir, "06-daftar-ponsel")
