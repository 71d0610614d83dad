"""A librarian works the queue in Django admin; the member fixes a rejection and gets the card.

Librarian (desktop): login → queue → "Tinjau berikutnya" → documents → reject with a reason.
Member (phone, 360 px): sees Ditolak + reason → replaces the photo → Selesai.
Librarian: next → resubmission → approve. Member: TERVERIFIKASI → card.
Screenshots land in test-artifacts/verification-*.png.
"""

import re

import pytest
from django.core import mail
from PIL import Image

from members.models import DocumentAccess, Member
from tests.verification.conftest import librarian_create, submitted_member
from verification.models import Decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Rahasia-Kuat-123"


@pytest.fixture
def new_photo(tmp_path):
    path = tmp_path / "foto-baru.jpg"
    image = Image.new("RGB", (600, 800), (214, 226, 222))
    for x in range(190, 410):
        for y in range(180, 440):
            image.putpixel((x, y), (196, 150, 118))
    image.save(path, "JPEG", quality=90)
    return path


@pytest.fixture
def desk_page(screen):
    """The librarian works at a desktop screen."""
    return screen(1366, 900)


def _shot(page, artifacts_dir, name):
    page.screenshot(path=f"{artifacts_dir}/verification-{name}.png", full_page=True)


def _images_loaded(page, selector) -> list[int]:
    page.wait_for_load_state("load")
    return page.eval_on_selector_all(selector, "imgs => imgs.map(img => img.complete ? img.naturalWidth : 0)")


def test_librarian_rejects_member_fixes_librarian_approves_member_gets_card(
    page, desk_page, live_server, artifacts_dir, new_photo
):
    member = submitted_member(
        non_dki=True,
        full_name="Andi Pratama",
        nik="3273011203850002",
        gender="L",
        birth_date=__import__("datetime").date(1985, 3, 12),
        birth_place="Bandung",
    )
    librarian = librarian_create(email="pustakawan@example.com")

    # --- The librarian logs in to admin and opens the queue.
    desk = desk_page
    desk.goto(live_server.url + "/admin/")
    desk.locator("#id_username").fill(librarian.email)
    desk.locator("#id_password").fill(PASSWORD)
    desk.locator("input[type=submit]").click()
    desk.goto(live_server.url + "/admin/verification/submission/")
    assert "Andi Pratama" in desk.content()
    _shot(desk, artifacts_dir, "01-antrean")

    # --- "Tinjau berikutnya" claims the submission and shows photo, data, KTP and letter.
    desk.get_by_role("link", name="Tinjau berikutnya").click()
    desk.wait_for_url(re.compile(r".*/admin/verification/submission/\d+/change/$"))
    assert all(width > 0 for width in _images_loaded(desk, "img.review-photo, img.review-document"))
    assert "Struktur NIK valid" in desk.content()
    # The letter is a PDF: it opens in its own tab through the private view.
    letter_link = desk.get_by_role("link", name=re.compile(r"\(PDF\)"))
    response = desk.context.request.get(live_server.url + letter_link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    _shot(desk, artifacts_dir, "02-tinjau")
    kinds = set(DocumentAccess.objects.filter(viewer=librarian).values_list("document_kind", flat=True))
    assert kinds == {"PHOTO", "KTP", "LETTER"}

    # --- Reject: a reason from the list and a note for the member.
    desk.get_by_label("Foto tidak jelas").check()
    desk.get_by_label("Penjelasan untuk anggota").fill("Foto terlalu gelap. Unggah foto close-up yang terang.")
    desk.get_by_role("button", name="Tolak pengajuan").click()
    desk.wait_for_url("**/admin/verification/submission/")
    assert "Ditolak. Anggota menerima email" in desk.content()
    assert "Antrean kosong" in desk.content()
    assert "Foto tidak jelas" in mail.outbox[-1].body

    # --- The member (on a phone) sees why, replaces only the photo and submits again.
    page.goto(live_server.url + "/masuk/")
    page.get_by_label("Email").fill(member.user.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/akun/")
    assert "Foto tidak jelas" in page.content() and "Foto terlalu gelap" in page.content()
    _shot(page, artifacts_dir, "03-ditolak")
    page.get_by_role("link", name="Perbaiki Data").click()
    page.goto(live_server.url + "/akun/lengkapi-data/foto/")
    page.locator("input[type=file][name=photo]").set_input_files(str(new_photo))
    page.get_by_role("button", name="Selanjutnya").click()
    page.wait_for_url("**/lengkapi-data/data-diri/")
    page.goto(live_server.url + "/akun/lengkapi-data/ringkasan/")
    page.get_by_role("button", name="Selesai").click()
    page.wait_for_url("**/akun/")
    assert "menunggu verifikasi ulang" in page.content()

    # --- The librarian gets the resubmission, sees what changed, approves.
    desk.get_by_role("link", name="Tinjau berikutnya").click()
    desk.wait_for_url(re.compile(r".*/change/$"))
    content = desk.content()
    assert "Pengajuan ulang" in content and "Keputusan sebelumnya" in content
    assert "diunggah ulang" in content
    _shot(desk, artifacts_dir, "04-tinjau-ulang")
    desk.get_by_role("button", name="Setujui: TERVERIFIKASI").click()
    desk.wait_for_url("**/admin/verification/submission/")
    assert "TERVERIFIKASI dengan nomor" in desk.content()
    member.refresh_from_db()
    assert member.status == Member.Status.TERVERIFIKASI
    assert list(Decision.objects.order_by("decided_at").values_list("outcome", flat=True)) == ["REJECTED", "APPROVED"]
    assert "TERVERIFIKASI" in mail.outbox[-1].subject

    # --- The member sees TERVERIFIKASI and the card.
    page.goto(live_server.url + "/akun/")
    assert "TERVERIFIKASI" in page.content() and member.member_number in page.content()
    page.get_by_role("link", name="Lihat Kartu Anggota").click()
    page.wait_for_url("**/akun/kartu/")
    assert member.member_number in page.content()
    assert all(width > 0 for width in _images_loaded(page, ".member-card img"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # no sideways scrolling on a 360 px phone
    _shot(page, artifacts_dir, "05-kartu")
    page.emulate_media(media="print")
    _shot(page, artifacts_dir, "06-kartu-cetak")
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF").click()
    assert download.value.suggested_filename == f"kartu-anggota-{member.member_number}.pdf"
