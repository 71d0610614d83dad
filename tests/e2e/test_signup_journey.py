"""A person registers on a phone: Daftar → OTP from the email → Lengkapi Data → Menunggu Verifikasi.

Screenshots of every step land in test-artifacts/ (CI keeps them).
"""

import io
import re

import pytest
from django.core import mail
from PIL import Image

from members.models import Document, Member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "foto-saya.jpg"
    image = Image.new("RGB", (600, 800), (200, 170, 140))
    for x in range(200, 400):
        for y in range(250, 550):
            image.putpixel((x, y), (90, 60, 40))
    image.save(path, "JPEG", quality=90)
    return path


@pytest.fixture
def ktp_file(tmp_path):
    path = tmp_path / "ktp.png"
    Image.new("RGB", (856, 540), (180, 200, 230)).save(path, "PNG")
    return path


@pytest.fixture
def letter_pdf(tmp_path):
    path = tmp_path / "surat-domisili.pdf"
    buffer = io.BytesIO()
    Image.new("RGB", (595, 842), "white").save(buffer, "PDF")
    path.write_bytes(buffer.getvalue())
    return path


def _shot(page, artifacts_dir, name):
    page.screenshot(path=f"{artifacts_dir}/signup-{name}.png", full_page=True)


def _register(page, live_server, artifacts_dir, *, email, prefix):
    page.goto(live_server.url + "/")
    _shot(page, artifacts_dir, f"{prefix}01-beranda")
    page.get_by_role("link", name="Daftar").first.click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Nomor ponsel").fill("0812 3456 7890")
    page.get_by_label("Kata sandi", exact=True).fill("Buku-Perpus-2026")
    page.get_by_label("Ulangi kata sandi").fill("Buku-Perpus-2026")
    page.get_by_label("Saya menyetujui").check()
    _shot(page, artifacts_dir, f"{prefix}02-daftar")
    page.get_by_role("button", name="Selanjutnya").click()
    page.wait_for_url("**/daftar/verifikasi/")
    assert email in page.content()
    _shot(page, artifacts_dir, f"{prefix}03-otp")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("Kode OTP").fill(code)
    page.get_by_role("button", name="Konfirmasi").click()
    page.wait_for_url("**/akun/")
    assert "Pendaftaran berhasil namun belum terverifikasi" in page.content()
    _shot(page, artifacts_dir, f"{prefix}04-berhasil")
    page.get_by_role("link", name="Lengkapi Data").click()


def _photo_and_personal(page, artifacts_dir, photo_file, prefix, *, nik, gender_label, birth_date):
    page.wait_for_url("**/lengkapi-data/foto/")
    page.locator("input[type=file][name=photo]").set_input_files(str(photo_file))
    _shot(page, artifacts_dir, f"{prefix}05-foto")
    page.get_by_role("button", name="Selanjutnya").click()
    page.wait_for_url("**/lengkapi-data/data-diri/")
    page.get_by_label("Nama lengkap").fill("Siti Rahmawati")
    page.get_by_label("NIK").fill(nik)
    page.get_by_label("Tempat lahir").fill("Jakarta")
    page.get_by_label("Tanggal lahir").fill(birth_date)
    page.get_by_label(gender_label, exact=True).check()
    page.get_by_label("Pekerjaan").fill("Guru")
    _shot(page, artifacts_dir, f"{prefix}06-data-diri")
    page.get_by_role("button", name="Selanjutnya").click()
    page.wait_for_url("**/lengkapi-data/ktp/")


def _address_and_finish(page, artifacts_dir, prefix, *, province):
    page.wait_for_url("**/lengkapi-data/alamat/")
    page.get_by_label("Alamat").fill("Jl. Cikini Raya No. 73")
    page.get_by_label("RT").fill("001")
    page.get_by_label("RW").fill("002")
    page.get_by_label("Kelurahan").fill("Cikini")
    page.get_by_label("Kecamatan").fill("Menteng")
    page.get_by_label("Kota").fill("Jakarta Pusat")
    page.get_by_label("Provinsi").select_option(label=province)
    page.get_by_label("Kode pos").fill("10330")
    _shot(page, artifacts_dir, f"{prefix}08-alamat")
    page.get_by_role("button", name="Selanjutnya").click()
    page.wait_for_url("**/lengkapi-data/ringkasan/")
    _shot(page, artifacts_dir, f"{prefix}09-ringkasan")
    page.get_by_role("button", name="Selesai").click()
    page.wait_for_url("**/akun/")
    assert "Menunggu Verifikasi" in page.content()
    _shot(page, artifacts_dir, f"{prefix}10-menunggu-verifikasi")


def test_dki_member_signs_up_and_completes_data(page, live_server, artifacts_dir, photo_file):
    _register(page, live_server, artifacts_dir, email="siti@example.com", prefix="dki-")
    _photo_and_personal(
        page,
        artifacts_dir,
        photo_file,
        "dki-",
        nik="3171014506900001",
        gender_label="Perempuan",
        birth_date="1990-06-05",
    )
    page.get_by_label("e-KTP DKI Jakarta").check()
    _shot(page, artifacts_dir, "dki-07-ktp")
    page.get_by_role("button", name="Selanjutnya").click()
    _address_and_finish(page, artifacts_dir, "dki-", province="DKI Jakarta")
    member = Member.objects.get(user__email="siti@example.com")
    assert member.status == Member.Status.MENUNGGU_VERIFIKASI
    assert member.ktp_origin == Member.KtpOrigin.DKI
    assert member.documents.get().kind == Document.Kind.PHOTO


def test_non_dki_member_uploads_ktp_and_letter(page, live_server, artifacts_dir, photo_file, ktp_file, letter_pdf):
    _register(page, live_server, artifacts_dir, email="budi@example.com", prefix="nondki-")
    _photo_and_personal(
        page,
        artifacts_dir,
        photo_file,
        "nondki-",
        nik="3273011203850002",
        gender_label="Laki-laki",
        birth_date="1985-03-12",
    )
    page.get_by_label("KTP luar DKI Jakarta").check()
    page.get_by_label("Surat Keterangan Bekerja").check()
    page.locator("input[type=file][name=ktp]").set_input_files(str(ktp_file))
    page.locator("input[type=file][name=letter]").set_input_files(str(letter_pdf))
    _shot(page, artifacts_dir, "nondki-07-ktp")
    page.get_by_role("button", name="Selanjutnya").click()
    _address_and_finish(page, artifacts_dir, "nondki-", province="Jawa Barat")
    member = Member.objects.get(user__email="budi@example.com")
    assert member.status == Member.Status.MENUNGGU_VERIFIKASI
    assert set(member.documents.values_list("kind", flat=True)) == {"PHOTO", "KTP", "LETTER"}
