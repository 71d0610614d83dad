"""A member books a visit on a phone: Jadwal Kunjungan → Pesan → code + QR → Kunjungan Saya
→ Ubah jadwal → Batalkan; a full session shows "Penuh" and cannot be booked.

Screenshots of every step land in test-artifacts/visit-*.png.
"""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.e2e.helpers import site_login
from tests.factories import UserFactory, VerifiedMemberFactory
from tests.visits.conftest import schedule_default
from visits import services
from visits.models import Reservation, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, artifacts_dir, name):
    page.screenshot(path=f"{artifacts_dir}/visit-{name}.png", full_page=True)


def _session(day, hour) -> Session:
    return Session.objects.get(starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))))


def _label(day, fmt) -> str:
    with translation.override("id"):
        return date_format(day, fmt)


@pytest.fixture
def week():
    schedule_default()
    services.sessions_generate()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    # The afternoon of tomorrow is full: capacity 1, taken by someone else.
    full = _session(tomorrow, 13)
    services.session_capacity_change(session_id=full.pk, capacity=1)
    services.reservation_create(user=UserFactory(), session_id=full.pk, acknowledged=True)
    return tomorrow


def test_member_books_reschedules_and_cancels(page, live_server, artifacts_dir, week):
    tomorrow = week
    day_after = tomorrow + datetime.timedelta(days=1)
    member = VerifiedMemberFactory().user
    site_login(page, live_server, member.email, next_path="/jadwal/")
    heading = _label(tomorrow, "l, j F Y")
    day = page.locator("section.day", has=page.get_by_role("heading", name=heading))
    assert "Sisa 300 dari 300" in day.inner_text()
    assert "Penuh" in day.inner_text()
    _shot(page, artifacts_dir, "01-jadwal")

    # Book tomorrow morning with one child.
    page.get_by_role("link", name=f"Pesan sesi 09.00–13.00 WIB, {_label(tomorrow, 'l, j F')}").click()
    page.wait_for_url("**/pesan/")
    page.get_by_label("Nama anak 1").fill("Dewi")
    page.get_by_label("Umur anak 1").fill("7")
    page.get_by_label("Saya sudah membaca dan akan mematuhi").check()
    _shot(page, artifacts_dir, "02-pesan")
    page.get_by_role("button", name="Pesan Sekarang").click()
    page.wait_for_url(re.compile(r".*/kunjungan-saya/[A-Z0-9]{8}/$"))
    reservation = Reservation.objects.get(user=member)
    assert page.locator(".reservation-code").inner_text() == reservation.code_display
    qr = page.get_by_role("img", name=f"Kode QR reservasi {reservation.code_display}")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "Reservasi berhasil" in page.content()
    _shot(page, artifacts_dir, "03-kode-qr")
    confirmation = [m for m in mail.outbox if m.to == [member.email]][-1]
    assert reservation.code_display in confirmation.subject
    assert {name.rsplit(".", 1)[1] for name, _content, _type in confirmation.attachments} == {"ics", "png"}

    # Kunjungan Saya lists it.
    page.get_by_role("link", name="Kunjungan Saya").first.click()
    page.wait_for_url("**/kunjungan-saya/")
    assert reservation.code_display in page.locator("main").inner_text()
    _shot(page, artifacts_dir, "04-kunjungan-saya")

    # Reschedule to the day after, morning.
    page.get_by_role("link", name=f"Ubah jadwal {reservation.code_display}").click()
    page.wait_for_url("**/ubah-jadwal/")
    _shot(page, artifacts_dir, "05-ubah-jadwal")
    page.get_by_role("button", name=f"Pindah ke sesi ini 09.00–13.00 WIB, {_label(day_after, 'l, j F')}").click()
    page.wait_for_url(re.compile(r".*/kunjungan-saya/[A-Z0-9]{8}/$"))
    new = Reservation.objects.get(user=member, status=Reservation.Status.ACTIVE)
    assert new.session == _session(day_after, 9)
    assert new.code != reservation.code
    assert page.locator(".reservation-code").inner_text() == new.code_display
    assert _session(tomorrow, 9).booked == 0 and _session(day_after, 9).booked == 2
    _shot(page, artifacts_dir, "06-jadwal-diubah")

    # Cancel it.
    page.get_by_role("link", name="Batalkan").click()
    page.wait_for_url("**/batalkan/")
    _shot(page, artifacts_dir, "07-batalkan")
    page.get_by_role("button", name="Ya, batalkan").click()
    page.wait_for_url("**/kunjungan-saya/")
    assert "dibatalkan" in page.locator(".messages").inner_text()
    assert _session(day_after, 9).booked == 0
    assert "Belum ada kunjungan yang akan datang." in page.content()
    _shot(page, artifacts_dir, "08-dibatalkan")


def test_full_session_shows_penuh_and_cannot_be_booked(page, live_server, artifacts_dir, week):
    tomorrow = week
    member = VerifiedMemberFactory().user
    site_login(page, live_server, member.email, next_path="/jadwal/")
    full = _session(tomorrow, 13)
    day = page.locator("section.day", has=page.get_by_role("heading", name=_label(tomorrow, "l, j F Y")))
    row = day.locator("li.session", has_text="13.00–17.00 WIB")
    assert "Penuh" in row.inner_text()
    assert row.get_by_role("link").count() == 0 and row.get_by_role("button").count() == 0
    row.scroll_into_view_if_needed()
    _shot(page, artifacts_dir, "09-penuh")
    page.goto(f"{live_server.url}/jadwal/sesi/{full.pk}/pesan/")
    assert "Sesi ini sudah penuh" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("button", name="Pesan Sekarang").count() == 0
    _shot(page, artifacts_dir, "10-penuh-form")
    assert not Reservation.objects.filter(user=member).exists()


def test_the_last_place_and_the_crowd_behind_it(screen, live_server, artifacts_dir, week):
    # Three phones have the booking page of the last place open; all press "Pesan Sekarang".
    # The first gets the place; the second hears "penuh" from the database; the third gets the
    # shared "penuh" page (jaklitera.pagecache), whose forms still carry its own valid token.
    tomorrow = week
    morning = _session(tomorrow, 9)
    services.session_capacity_change(session_id=morning.pk, capacity=1)
    phones = []
    for _ in range(3):
        phone = screen(360, 740)
        site_login(
            phone, live_server, VerifiedMemberFactory().user.email, next_path=f"/jadwal/sesi/{morning.pk}/pesan/"
        )
        phone.get_by_label("Saya sudah membaca dan akan mematuhi").check()
        phones.append(phone)
    first, second, third = phones
    first.get_by_role("button", name="Pesan Sekarang").click()
    first.wait_for_url(re.compile(r".*/kunjungan-saya/[A-Z0-9]{8}/$"))
    for phone in (second, third):
        phone.get_by_role("button", name="Pesan Sekarang").click()
        phone.wait_for_load_state()
        alert = phone.get_by_role("alert")
        assert alert.count() == 1 and "Sesi ini sudah penuh" in alert.inner_text()
        assert phone.get_by_role("button", name="Pesan Sekarang").count() == 0
    third.screenshot(path=f"{artifacts_dir}/visit-11-penuh-bersama.png", full_page=True)
    assert Session.objects.get(pk=morning.pk).booked == 1

    # The shared page's forms work for the person who got it: language, then Keluar.
    third.get_by_label("Bahasa").select_option("en")
    third.get_by_role("button", name="Ganti").click()
    third.wait_for_load_state()
    assert third.locator("html").get_attribute("lang") == "en"
    third.get_by_role("button", name="Log out").click()
    third.wait_for_load_state()
    assert third.get_by_role("link", name="Log in").count() >= 1
