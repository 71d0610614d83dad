"""A teacher requests a Rombongan visit for 35 students on a phone, with the school's letter;
front-desk staff approve it in admin (desktop); the teacher downloads the confirmation letter
(PDF); on the day the desk checks the group in by its code (admin page "Check-in rombongan":
the staff day list of issue 5 was not committed yet when this was written).

Screenshots land in test-artifacts/group-*.png.
"""

import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from jaklitera.roles import PETUGAS_LAYANAN, roles_sync
from tests.factories import UserFactory
from tests.members import samples
from tests.visits.conftest import schedule_default
from visits import services
from visits.models import GroupLetterAccess, GroupVisit, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Rahasia-Kuat-123"


@pytest.fixture
def desk_page(screen):
    return screen(1366, 900)


def _shot(page, artifacts_dir, name):
    page.screenshot(path=f"{artifacts_dir}/group-{name}.png", full_page=True)


def _session(day, hour) -> Session:
    return Session.objects.get(starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))))


def test_teacher_requests_staff_approve_group_checks_in(page, desk_page, live_server, artifacts_dir, tmp_path):
    schedule_default()
    services.sessions_generate()
    day = timezone.localdate() + datetime.timedelta(days=2)
    preferred, alternative = _session(day, 9), _session(day, 13)
    teacher = UserFactory(email="ratna@sdncikini01.sch.id")
    if not Group.objects.filter(name=PETUGAS_LAYANAN).exists():
        roles_sync()
    desk_user = UserFactory(email="petugas@example.com", is_staff=True)
    desk_user.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))

    # --- The teacher, on a phone.
    page.goto(live_server.url + "/masuk/?next=/kunjungan-saya/")
    page.get_by_label("Email").fill(teacher.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/kunjungan-saya/")
    page.get_by_role("link", name="Ajukan kunjungan rombongan").click()
    page.wait_for_url("**/rombongan/ajukan/")
    page.get_by_label("Nama instansi").fill("SDN Cikini 01")
    page.get_by_label("Jenis instansi").select_option("SCHOOL")
    page.get_by_label("Nama penanggung jawab").fill("Ibu Ratna")
    page.get_by_label("Nomor ponsel penanggung jawab").fill("0812 3456 7890")
    page.get_by_label("Jumlah peserta").fill("35")
    page.get_by_label("Jumlah anak (di bawah 18 tahun)").fill("33")
    page.get_by_label("Kelompok usia").select_option("PRIMARY")
    page.get_by_label("Tujuan kunjungan").fill("Mengenalkan perpustakaan kepada siswa kelas 4.")
    page.get_by_label("Sesi pilihan").select_option(str(preferred.pk))
    page.get_by_label("Sesi alternatif").select_option(str(alternative.pk))
    page.get_by_label("Surat permohonan").set_input_files(
        files=[{"name": "surat-permohonan.pdf", "mimeType": "application/pdf", "buffer": samples.pdf_bytes()}]
    )
    _shot(page, artifacts_dir, "01-formulir")
    page.get_by_role("button", name="Kirim Permohonan").click()
    page.wait_for_url(re.compile(r".*/rombongan/\d+/$"))
    group = GroupVisit.objects.get(requester=teacher)
    assert "Menunggu persetujuan" in page.locator("main").inner_text()
    assert Session.objects.get(pk=preferred.pk).booked == 35  # held at once
    _shot(page, artifacts_dir, "02-menunggu")

    # --- Front desk staff, at a desktop, in admin.
    desk = desk_page
    desk.goto(live_server.url + "/admin/")
    desk.locator("#id_username").fill(desk_user.email)
    desk.locator("#id_password").fill(PASSWORD)
    desk.locator("input[type=submit]").click()
    desk.goto(live_server.url + "/admin/visits/groupvisit/")
    assert "SDN Cikini 01" in desk.content()
    _shot(desk, artifacts_dir, "03-daftar-menunggu")
    desk.get_by_role("link", name="SDN Cikini 01").click()
    desk.wait_for_url(f"**/admin/visits/groupvisit/{group.pk}/change/")
    # The letter opens through the private view, and the view is logged.
    with desk.expect_popup() as popup:
        desk.get_by_role("link", name="Buka surat permohonan").click()
    popup.value.close()
    assert GroupLetterAccess.objects.filter(viewer=desk_user, group_visit=group).exists()
    _shot(desk, artifacts_dir, "04-keputusan")
    desk.get_by_role("button", name="Setujui rombongan").click()
    assert "Disetujui" in desk.locator(".messagelist").inner_text()
    group.refresh_from_db()
    assert group.status == GroupVisit.Status.APPROVED and group.code
    _shot(desk, artifacts_dir, "05-disetujui")
    approval = [m for m in mail.outbox if m.to == [teacher.email] and group.code_display in m.subject]
    assert approval and any(name.endswith(".pdf") for name, _c, _t in approval[-1].attachments)

    # --- The teacher sees the code and downloads the confirmation letter.
    page.reload()
    assert page.locator(".reservation-code").inner_text() == group.code_display
    qr = page.get_by_role("img", name=f"Kode QR rombongan {group.code_display}")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    _shot(page, artifacts_dir, "06-kode-qr")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh surat konfirmasi (PDF)").click()
    path = tmp_path / "konfirmasi.pdf"
    download.value.save_as(path)
    text = PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text()
    assert "SDN Cikini 01" in text and "35 orang" in text and group.code_display in text

    # --- On the day (the session is moved to "now" in the database), 32 of 35 came.
    now = timezone.now().replace(microsecond=0)
    Session.objects.filter(pk=preferred.pk).update(
        date=timezone.localdate(now),
        starts_at=now - datetime.timedelta(minutes=10, seconds=7),
        last_checkin_at=now + datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=2),
    )
    desk.goto(live_server.url + "/admin/visits/groupvisit/")
    desk.get_by_role("link", name="Check-in rombongan").click()
    desk.locator("#id_code").fill(group.code_display)
    desk.locator("#id_present").fill("32")
    _shot(desk, artifacts_dir, "07-check-in")
    desk.get_by_role("button", name="Check-in").click()
    assert "32 orang" in desk.locator(".messagelist").inner_text()
    _shot(desk, artifacts_dir, "08-check-in-selesai")
    group.refresh_from_db()
    assert group.status == GroupVisit.Status.CHECKED_IN and group.present == 32
    assert Session.objects.get(pk=preferred.pk).booked == 32  # three places back for walk-ins
    assert services.quota_check() == []

    # --- Rombongan Saya shows the status.
    page.goto(live_server.url + "/rombongan/")
    assert "Sudah check-in" in page.locator("main").inner_text()
    _shot(page, artifacts_dir, "09-rombongan-saya")
