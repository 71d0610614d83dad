"""Lengkapi Data through HTTP: access, steps, errors next to fields, resume, Selesai, lock."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from members.models import Document, Member
from members.services import profile as services
from tests.factories import CompleteMemberFactory, MemberFactory, UserFactory

from . import samples

pytestmark = pytest.mark.django_db

URLS = {
    "start": "/akun/lengkapi-data/",
    "photo": "/akun/lengkapi-data/foto/",
    "personal": "/akun/lengkapi-data/data-diri/",
    "ktp": "/akun/lengkapi-data/ktp/",
    "address": "/akun/lengkapi-data/alamat/",
    "summary": "/akun/lengkapi-data/ringkasan/",
}
PERSONAL = {
    "full_name": "Siti Rahmawati",
    "nik": "3171014506900001",
    "birth_place": "Jakarta",
    "birth_date": "1990-06-05",
    "gender": "P",
    "occupation": "Guru",
    "education": "S1",
}
ADDRESS = {
    "street": "Jl. Cikini Raya No. 73",
    "rt": "1",
    "rw": "2",
    "kelurahan": "Cikini",
    "kecamatan": "Menteng",
    "city": "Jakarta Pusat",
    "province": "DKI Jakarta",
    "postal_code": "10330",
}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def member(client):
    member = MemberFactory()
    client.force_login(member.user)
    return member


def photo_file(name="foto.jpg"):
    return samples.upload(samples.jpeg_bytes(), name)


def html(response) -> str:
    return response.content.decode()


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_url_names():
    assert reverse("members:profile_start") == URLS["start"]
    assert reverse("members:profile_photo") == URLS["photo"]
    assert reverse("members:profile_summary") == URLS["summary"]


# --- Who may enter -------------------------------------------------------------------


@pytest.mark.parametrize("name", list(URLS))
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(URLS[name])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("members:login"))


def test_account_without_member_is_sent_to_the_account_page(client):
    client.force_login(UserFactory())

    response = client.get(URLS["start"])

    assert response.status_code == 302
    assert response["Location"] == reverse("members:account")


@pytest.mark.parametrize("status", [Member.Status.MENUNGGU_VERIFIKASI, Member.Status.TERVERIFIKASI])
@pytest.mark.parametrize("name", list(URLS))
def test_every_step_redirects_to_the_account_while_under_review(client, status, name):
    member = CompleteMemberFactory(status=status)
    client.force_login(member.user)

    for response in (client.get(URLS[name]), client.post(URLS[name], {**PERSONAL, **ADDRESS})):
        assert response.status_code == 302
        assert response["Location"] == reverse("members:account")
        assert any("tidak dapat diubah" in text for text in message_texts(response))
    member.refresh_from_db()
    assert member.status == status


# --- Resume ------------------------------------------------------------------------------


def test_start_opens_the_first_incomplete_step(client, member):
    assert client.get(URLS["start"])["Location"] == URLS["photo"]

    services.member_photo_save(member=member, photo=photo_file())
    assert client.get(URLS["start"])["Location"] == URLS["personal"]

    client.post(URLS["personal"], PERSONAL)
    assert client.get(URLS["start"])["Location"] == URLS["ktp"]


def test_start_opens_the_summary_when_complete(client):
    member = CompleteMemberFactory()
    services.member_photo_save(member=member, photo=photo_file())
    client.force_login(member.user)

    assert client.get(URLS["start"])["Location"] == URLS["summary"]


# --- Photo -------------------------------------------------------------------------------


def test_photo_step_page(client, member):
    response = client.get(URLS["photo"])

    assert response.status_code == 200
    page = html(response)
    assert "Lengkapi Data" in page
    assert '<ol class="progress">' in page
    assert 'aria-current="step"' in page
    assert 'data-preview="photo-preview"' in page
    assert 'id="photo-preview"' in page
    assert 'accept="image/jpeg,image/png' in page
    assert 'enctype="multipart/form-data"' in page
    assert "Selanjutnya" in page


def test_photo_upload_goes_to_the_next_step(client, member):
    response = client.post(URLS["photo"], {"photo": photo_file()})

    assert response.status_code == 302
    assert response["Location"] == URLS["personal"]
    assert member.documents.get().kind == Document.Kind.PHOTO


def test_stored_photo_is_shown_through_the_private_view_and_may_be_kept(client, member):
    photo = services.member_photo_save(member=member, photo=photo_file())

    page = html(client.get(URLS["photo"]))
    assert f'src="/berkas/{photo.pk}/"' in page

    response = client.post(URLS["photo"], {})
    assert response["Location"] == URLS["personal"]
    assert member.documents.get().pk == photo.pk


@pytest.mark.parametrize(
    "upload, message",
    [
        (samples.upload(samples.pdf_bytes(), "foto.jpg"), "Berkas harus berupa gambar JPEG atau PNG."),
        (samples.upload(samples.jpeg_bytes(200, 300), "foto.jpg"), "Foto minimal 300×400 piksel."),
        (samples.upload(samples.truncated_jpeg_bytes(), "foto.jpg"), "Gambar rusak atau tidak lengkap."),
        (samples.upload(samples.oversized_jpeg_bytes(), "foto.jpg"), "Ukuran berkas maksimal 5 MB."),
    ],
    ids=["pdf", "small", "truncated", "6mb"],
)
def test_bad_photo_shows_the_error_next_to_the_field(client, member, private_media, upload, message):
    upload.seek(0)

    response = client.post(URLS["photo"], {"photo": upload})

    assert response.status_code == 400
    page = html(response)
    assert f'<p class="error" id="id_photo_error">{message}</p>' in page
    assert 'aria-invalid="true"' in page
    assert not member.documents.exists()
    assert not any(path.is_file() for path in private_media.rglob("*"))


def test_photo_is_required_the_first_time(client, member):
    response = client.post(URLS["photo"], {})

    assert response.status_code == 400
    assert "Pilih foto close-up Anda." in html(response)


# --- Data Diri ---------------------------------------------------------------------------


def test_personal_step_has_accessible_inputs(client, member):
    page = html(client.get(URLS["personal"]))

    assert 'name="nik"' in page and 'inputmode="numeric"' in page
    assert 'autocomplete="name"' in page
    assert 'autocomplete="bday"' in page
    assert 'aria-describedby="id_nik_helptext"' in page
    assert '<label for="id_full_name">' in page
    assert "<legend>Jenis kelamin</legend>" in page
    assert 'type="radio" name="gender" value="P"' in page


def test_personal_step_saves_and_continues(client, member):
    response = client.post(URLS["personal"], {**PERSONAL, "nik": "3171 0145 0690 0001"})

    assert response["Location"] == URLS["ktp"]
    member.refresh_from_db()
    assert member.nik == "3171014506900001"


def test_invalid_nik_keeps_the_valid_fields_filled(client, member):
    response = client.post(URLS["personal"], {**PERSONAL, "gender": "L"})

    assert response.status_code == 400
    page = html(response)
    assert "NIK tidak sesuai dengan jenis kelamin yang Anda pilih" in page
    assert 'id="id_nik_error"' in page
    assert 'value="Siti Rahmawati"' in page
    assert 'value="Guru"' in page
    assert 'value="1990-06-05"' in page
    member.refresh_from_db()
    assert member.full_name == ""


def test_saved_personal_data_is_shown_when_coming_back(client, member):
    client.post(URLS["personal"], PERSONAL)

    page = html(client.get(URLS["personal"]))

    assert 'value="3171014506900001"' in page
    assert 'value="1990-06-05"' in page


# --- KTP -----------------------------------------------------------------------------------


def test_ktp_step_preselects_dki_from_the_nik(client, member):
    Member.objects.filter(pk=member.pk).update(nik="3171014506900001")

    page = html(client.get(URLS["ktp"]))

    assert "<legend>Asal KTP</legend>" in page
    assert 'value="DKI" id="id_ktp_origin_0" required checked' in page
    assert 'value="NON_DKI" id="id_ktp_origin_1" required>' in page


def test_ktp_step_marks_the_uploads_optional_only_once_stored(client, member):
    page = html(client.get(URLS["ktp"]))
    assert "opsional" not in page

    client.post(
        URLS["ktp"],
        {
            "ktp_origin": "NON_DKI",
            "letter_type": "BEKERJA",
            "ktp": samples.upload(samples.jpeg_bytes(900, 600), "ktp.jpg"),
            "letter": samples.upload(samples.pdf_bytes(), "surat.pdf", "application/pdf"),
        },
    )
    page = html(client.get(URLS["ktp"]))
    assert page.count("(opsional)") == 2


def test_ktp_dki_goes_to_the_address(client, member):
    response = client.post(URLS["ktp"], {"ktp_origin": "DKI"})

    assert response["Location"] == URLS["address"]


def test_ktp_non_dki_needs_documents(client, member):
    response = client.post(URLS["ktp"], {"ktp_origin": "NON_DKI", "letter_type": ""})

    assert response.status_code == 400
    page = html(response)
    assert '<p class="error" id="id_ktp_error">Unggah foto atau pindaian KTP Anda.</p>' in page
    assert 'id="id_letter_error"' in page
    assert '<p class="error" id="id_letter_type_error">Pilih jenis surat keterangan.</p>' in page
    assert 'value="NON_DKI" id="id_ktp_origin_1" required checked' in page
    member.refresh_from_db()
    assert member.ktp_origin == ""


def test_ktp_valid_file_with_a_missing_one_asks_to_choose_it_again(client, member, private_media):
    response = client.post(
        URLS["ktp"],
        {"ktp_origin": "NON_DKI", "letter_type": "SEKOLAH", "ktp": samples.upload(samples.jpeg_bytes(), "ktp.jpg")},
    )

    assert response.status_code == 400
    assert "pilih kembali berkasnya" in html(response)
    assert not any(path.is_file() for path in private_media.rglob("*"))


def test_ktp_non_dki_with_documents(client, member):
    response = client.post(
        URLS["ktp"],
        {
            "ktp_origin": "NON_DKI",
            "letter_type": "BEKERJA",
            "ktp": samples.upload(samples.jpeg_bytes(900, 600), "ktp.jpg"),
            "letter": samples.upload(samples.pdf_bytes(), "surat.pdf", "application/pdf"),
        },
    )

    assert response["Location"] == URLS["address"]
    assert set(member.documents.values_list("kind", flat=True)) == {"KTP", "LETTER"}
    page = html(client.get(URLS["ktp"]))
    assert "KTP tersimpan." in page and "Surat keterangan tersimpan." in page


def test_ktp_fake_pdf_letter_stores_nothing(client, member, private_media):
    response = client.post(
        URLS["ktp"],
        {
            "ktp_origin": "NON_DKI",
            "letter_type": "SEKOLAH",
            "ktp": samples.upload(samples.jpeg_bytes(900, 600), "ktp.jpg"),
            "letter": samples.upload(samples.fake_pdf_bytes(), "surat.pdf", "application/pdf"),
        },
    )

    assert response.status_code == 400
    page = html(response)
    assert '<p class="error" id="id_letter_error">Berkas PDF rusak atau bukan PDF yang sah.</p>' in page
    assert "pilih kembali berkasnya" in page
    assert not member.documents.exists()
    assert not any(path.is_file() for path in private_media.rglob("*"))


# --- Alamat --------------------------------------------------------------------------------


def test_address_step_inputs(client, member):
    page = html(client.get(URLS["address"]))

    assert page.count('inputmode="numeric"') == 3  # RT, RW, kode pos
    assert 'autocomplete="postal-code"' in page
    assert 'autocomplete="address-level2"' in page


def test_address_saves_and_goes_to_summary(client, member):
    Member.objects.filter(pk=member.pk).update(ktp_origin="DKI")

    response = client.post(URLS["address"], ADDRESS)

    assert response["Location"] == URLS["summary"]
    member.refresh_from_db()
    assert (member.address_rt, member.address_rw) == ("001", "002")


def test_invalid_postal_code_is_shown_next_to_the_field(client, member):
    response = client.post(URLS["address"], {**ADDRESS, "postal_code": "1033"})

    assert response.status_code == 400
    page = html(response)
    assert '<p class="error" id="id_postal_code_error">Kode pos terdiri dari 5 angka.</p>' in page
    assert 'value="Cikini"' in page


# --- Ringkasan and Selesai ---------------------------------------------------------------


def test_summary_of_an_incomplete_member_lists_what_is_missing(client, member):
    response = client.get(URLS["summary"])

    page = html(response)
    assert "Data belum lengkap" in page
    assert f'href="{URLS["photo"]}"' in page
    assert ">Selesai</button>" not in page

    response = client.post(URLS["summary"])
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.status == Member.Status.BELUM_TERVERIFIKASI


def test_selesai_submits_and_goes_to_the_account(client):
    member = CompleteMemberFactory()
    services.member_photo_save(member=member, photo=photo_file())
    client.force_login(member.user)
    page = html(client.get(URLS["summary"]))
    assert ">Selesai</button>" in page
    assert "Siti Rahmawati" in page

    response = client.post(URLS["summary"])

    assert response.status_code == 302
    assert response["Location"] == reverse("members:account")
    assert any("Menunggu Verifikasi" in text for text in message_texts(response))
    member.refresh_from_db()
    assert member.status == Member.Status.MENUNGGU_VERIFIKASI
    assert member.submitted_at is not None


def test_whole_journey_dki(client, member):
    """Foto → Data Diri → KTP → Alamat → Ringkasan → Selesai, as a person clicks through it."""
    location = client.get(URLS["start"])["Location"]
    location = client.post(location, {"photo": photo_file()})["Location"]
    location = client.post(location, PERSONAL)["Location"]
    location = client.post(location, {"ktp_origin": "DKI"})["Location"]
    location = client.post(location, ADDRESS)["Location"]
    assert location == URLS["summary"]

    response = client.post(location)

    assert response["Location"] == reverse("members:account")
    member.refresh_from_db()
    assert member.status == Member.Status.MENUNGGU_VERIFIKASI
    assert client.get(URLS["start"])["Location"] == reverse("members:account")


def test_whole_journey_non_dki(client, member):
    client.post(URLS["photo"], {"photo": photo_file()})
    client.post(URLS["personal"], {**PERSONAL, "nik": "3273014506900001"})
    client.post(
        URLS["ktp"],
        {
            "ktp_origin": "NON_DKI",
            "letter_type": "DOMISILI",
            "ktp": samples.upload(samples.png_with_gps_bytes(), "ktp.png", "image/png"),
            "letter": samples.upload(samples.pdf_bytes(), "surat.pdf", "application/pdf"),
        },
    )
    client.post(URLS["address"], {**ADDRESS, "province": "Jawa Barat", "city": "Kota Bandung"})

    response = client.post(URLS["summary"])

    assert response["Location"] == reverse("members:account")
    member.refresh_from_db()
    assert member.status == Member.Status.MENUNGGU_VERIFIKASI
    assert member.documents.count() == 3
