"""Lengkapi Data services: step saves, NIK rules, documents all-or-nothing, submit, locking."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from jaklitera.storage import PrivateStorage
from members.models import Document, Member
from members.services import profile as services
from members.services.profile import ProfileError, ProfileIncomplete, ProfileLocked, Step
from tests.factories import CompleteMemberFactory, MemberFactory

from . import samples

pytestmark = pytest.mark.django_db

PERSONAL = {
    "full_name": "Siti  Rahmawati ",
    "nik": "3171 0145 0690 0001",
    "birth_place": "Jakarta",
    "birth_date": datetime.date(1990, 6, 5),
    "gender": Member.Gender.PEREMPUAN,
    "occupation": "Guru",
    "education": Member.Education.S1,
}
ADDRESS = {
    "street": "Jl. Cikini Raya No. 73",
    "rt": "1",
    "rw": "02",
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


def files_on_disk(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


def photo_upload():
    return samples.upload(samples.jpeg_bytes(), "IMG_20260101_rumah.jpg")


def ktp_upload():
    return samples.upload(samples.jpeg_bytes(900, 600), "ktp-siti.jpg")


def letter_upload():
    return samples.upload(samples.pdf_bytes(), "surat-domisili.pdf", "application/pdf")


@pytest.fixture
def complete_member():
    member = CompleteMemberFactory()
    services.member_photo_save(member=member, photo=photo_upload())
    return member


# --- Photo -----------------------------------------------------------------------------


def test_photo_is_stored_clean_under_a_random_name(private_media):
    member = MemberFactory()

    document = services.member_photo_save(member=member, photo=photo_upload())

    assert (document.kind, document.content_type, document.width, document.height) == ("PHOTO", "image/jpeg", 600, 800)
    [path] = files_on_disk(private_media)
    assert path.parent.name == "documents"
    assert "rumah" not in path.name and "IMG" not in path.name
    content = path.read_bytes()
    assert document.size == len(content)
    assert dict(Image.open(io.BytesIO(content)).getexif()) == {}


def test_replacing_the_photo_deletes_the_old_file_after_commit(private_media, django_capture_on_commit_callbacks):
    member = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        old = services.member_photo_save(member=member, photo=photo_upload())
    old_path = private_media / old.file.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = services.member_photo_save(member=member, photo=photo_upload())
        # Until the commit the old file is still there.
        assert old_path.exists()
    for callback in callbacks:
        callback()

    assert new.pk != old.pk
    assert not old_path.exists()
    assert files_on_disk(private_media) == [private_media / new.file.name]
    assert list(Document.objects.filter(member=member).values_list("pk", flat=True)) == [new.pk]


def test_refused_photo_saves_nothing(private_media):
    member = MemberFactory()

    with pytest.raises(ProfileError) as caught:
        services.member_photo_save(member=member, photo=samples.upload(samples.pdf_bytes(), "foto.jpg"))

    assert caught.value.errors == {"photo": "Berkas harus berupa gambar JPEG atau PNG."}
    assert not Document.objects.exists()
    assert files_on_disk(private_media) == []


def test_failed_database_write_removes_the_new_file(private_media, monkeypatch):
    member = MemberFactory()

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Document, "save", fail)

    with pytest.raises(RuntimeError):
        services.member_photo_save(member=member, photo=photo_upload())

    assert files_on_disk(private_media) == []


# --- Personal data ---------------------------------------------------------------------


def test_personal_data_is_saved_normalised():
    member = MemberFactory()

    services.member_personal_update(member=member, **PERSONAL)

    member.refresh_from_db()
    assert member.full_name == "Siti Rahmawati"
    assert member.nik == "3171014506900001"
    assert member.birth_date == datetime.date(1990, 6, 5)
    assert member.education == "S1"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"nik": "31710145069000"}, "NIK harus terdiri dari 16 angka."),
        ({"nik": "31710145069000AB"}, "NIK harus terdiri dari 16 angka."),
        ({"nik": "9971014506900001"}, "Kode provinsi pada NIK (2 angka pertama) tidak dikenal."),
        ({"nik": "3171017206900001"}, "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak valid."),
        ({"nik": "3171013113900001"}, "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak valid."),
        (
            {"gender": Member.Gender.LAKI_LAKI},
            "NIK tidak sesuai dengan jenis kelamin yang Anda pilih (perempuan: tanggal lahir + 40).",
        ),
        (
            {"nik": "3171010506900001"},  # day 05: a man's NIK, but she chose Perempuan
            "NIK tidak sesuai dengan jenis kelamin yang Anda pilih (perempuan: tanggal lahir + 40).",
        ),
        (
            {"birth_date": datetime.date(1990, 6, 6)},
            "Tanggal lahir pada NIK tidak sesuai dengan tanggal lahir yang Anda isi.",
        ),
        (
            {"birth_date": datetime.date(1991, 6, 5)},
            "Tanggal lahir pada NIK tidak sesuai dengan tanggal lahir yang Anda isi.",
        ),
        ({"nik": ""}, "Bagian ini wajib diisi."),
    ],
    ids=["short", "letters", "province", "day", "month", "gender", "man-nik", "day-mismatch", "year-mismatch", "empty"],
)
def test_invalid_nik_is_refused(changes, message):
    member = MemberFactory()

    with pytest.raises(ProfileError) as caught:
        services.member_personal_update(member=member, **{**PERSONAL, **changes})

    assert caught.value.errors == {"nik": message}
    member.refresh_from_db()
    assert member.nik == "" and member.full_name == ""


def test_a_man_with_a_matching_nik_is_fine():
    member = MemberFactory()

    services.member_personal_update(
        member=member, **{**PERSONAL, "nik": "3273010506900001", "gender": Member.Gender.LAKI_LAKI}
    )

    member.refresh_from_db()
    assert member.gender == "L"


def test_personal_data_reports_every_field_at_once():
    member = MemberFactory()

    with pytest.raises(ProfileError) as caught:
        services.member_personal_update(
            member=member,
            **{**PERSONAL, "full_name": " ", "birth_date": timezone.localdate() + datetime.timedelta(days=1)},
        )

    assert set(caught.value.errors) == {"full_name", "birth_date"}
    assert caught.value.errors["birth_date"] == "Tanggal lahir tidak boleh di masa depan."


def test_unknown_choice_is_refused():
    member = MemberFactory()

    with pytest.raises(ProfileError) as caught:
        services.member_personal_update(member=member, **{**PERSONAL, "gender": "X", "education": "S9"})

    assert set(caught.value.errors) == {"gender", "education"}


# --- KTP origin and documents ----------------------------------------------------------


def test_dki_needs_no_documents():
    member = MemberFactory()

    services.member_ktp_update(member=member, ktp_origin=Member.KtpOrigin.DKI)

    member.refresh_from_db()
    assert (member.ktp_origin, member.letter_type) == ("DKI", "")


def test_non_dki_requires_ktp_letter_and_letter_type(private_media):
    member = MemberFactory()

    with pytest.raises(ProfileError) as caught:
        services.member_ktp_update(member=member, ktp_origin=Member.KtpOrigin.NON_DKI)

    assert set(caught.value.errors) == {"letter_type", "ktp", "letter"}
    member.refresh_from_db()
    assert member.ktp_origin == ""


def test_non_dki_with_both_documents_is_saved(private_media):
    member = MemberFactory()

    services.member_ktp_update(
        member=member,
        ktp_origin=Member.KtpOrigin.NON_DKI,
        letter_type=Member.LetterType.BEKERJA,
        ktp=ktp_upload(),
        letter=letter_upload(),
    )

    member.refresh_from_db()
    assert (member.ktp_origin, member.letter_type) == ("NON_DKI", "BEKERJA")
    documents = {document.kind: document for document in member.documents.all()}
    assert documents["KTP"].content_type == "image/jpeg"
    assert documents["LETTER"].content_type == "application/pdf"
    assert len(files_on_disk(private_media)) == 2


def test_stored_documents_count_when_the_step_is_saved_again(private_media):
    member = MemberFactory()
    arguments = {"member": member, "ktp_origin": "NON_DKI", "letter_type": "DOMISILI"}
    services.member_ktp_update(**arguments, ktp=ktp_upload(), letter=letter_upload())

    services.member_ktp_update(**{**arguments, "letter_type": "SEKOLAH"})

    member.refresh_from_db()
    assert member.letter_type == "SEKOLAH"
    assert member.documents.count() == 2


def test_refused_second_upload_stores_neither(private_media):
    member = MemberFactory()

    with pytest.raises(ProfileError) as caught:
        services.member_ktp_update(
            member=member,
            ktp_origin="NON_DKI",
            letter_type="DOMISILI",
            ktp=ktp_upload(),
            letter=samples.upload(samples.fake_pdf_bytes(), "surat.pdf", "application/pdf"),
        )

    assert caught.value.errors == {"letter": "Berkas PDF rusak atau bukan PDF yang sah."}
    assert "pilih kembali berkasnya" in caught.value.message
    assert not Document.objects.exists()
    assert files_on_disk(private_media) == []


@pytest.fixture
def second_write_fails(monkeypatch):
    """Call it to make the disk fail on the second file written from then on (the first is fine)."""
    real_save = PrivateStorage._save
    calls = []

    def flaky_save(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real_save(self, name, content)

    def arm():
        monkeypatch.setattr(PrivateStorage, "_save", flaky_save)
        return calls

    return arm


def test_failing_second_write_leaves_no_new_file_and_no_row(private_media, second_write_fails):
    member = MemberFactory()
    calls = second_write_fails()

    with pytest.raises(OSError):
        services.member_ktp_update(
            member=member, ktp_origin="NON_DKI", letter_type="DOMISILI", ktp=ktp_upload(), letter=letter_upload()
        )

    assert len(calls) == 2
    assert not Document.objects.exists()
    assert files_on_disk(private_media) == []
    member.refresh_from_db()
    assert member.ktp_origin == ""


def test_failing_replacement_keeps_the_old_documents(
    private_media, second_write_fails, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.member_ktp_update(
            member=member, ktp_origin="NON_DKI", letter_type="DOMISILI", ktp=ktp_upload(), letter=letter_upload()
        )
    before_rows = set(Document.objects.values_list("pk", "file"))
    before_files = files_on_disk(private_media)
    second_write_fails()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OSError):
        services.member_ktp_update(
            member=member, ktp_origin="NON_DKI", letter_type="DOMISILI", ktp=ktp_upload(), letter=letter_upload()
        )

    assert set(Document.objects.values_list("pk", "file")) == before_rows
    assert files_on_disk(private_media) == before_files


def test_switching_to_dki_deletes_ktp_and_letter(private_media, django_capture_on_commit_callbacks):
    member = MemberFactory()
    services.member_photo_save(member=member, photo=photo_upload())
    services.member_ktp_update(
        member=member, ktp_origin="NON_DKI", letter_type="DOMISILI", ktp=ktp_upload(), letter=letter_upload()
    )
    assert len(files_on_disk(private_media)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        services.member_ktp_update(member=member, ktp_origin="DKI", letter_type="DOMISILI")

    member.refresh_from_db()
    assert (member.ktp_origin, member.letter_type) == ("DKI", "")
    assert list(member.documents.values_list("kind", flat=True)) == ["PHOTO"]
    assert len(files_on_disk(private_media)) == 1


def test_uploads_sent_with_dki_are_ignored(private_media):
    member = MemberFactory()

    services.member_ktp_update(member=member, ktp_origin="DKI", ktp=ktp_upload(), letter=letter_upload())

    assert not Document.objects.exists()
    assert files_on_disk(private_media) == []


# --- Address ---------------------------------------------------------------------------


def test_address_is_saved_with_three_digit_rt_rw():
    member = MemberFactory(ktp_origin="DKI")

    services.member_address_update(member=member, **ADDRESS)

    member.refresh_from_db()
    assert (member.address_rt, member.address_rw) == ("001", "002")
    assert member.address_postal_code == "10330"
    assert member.address_province == "DKI Jakarta"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"postal_code": "1033"}, "postal_code"),
        ({"postal_code": "1033A"}, "postal_code"),
        ({"postal_code": "01234"}, "postal_code"),
        ({"rt": "1234"}, "rt"),
        ({"rw": "0"}, "rw"),
        ({"rw": "A1"}, "rw"),
        ({"kelurahan": ""}, "kelurahan"),
        ({"province": "Jakarta Raya"}, "province"),
    ],
)
def test_invalid_address_is_refused(changes, field):
    member = MemberFactory()

    with pytest.raises(ProfileError) as caught:
        services.member_address_update(member=member, **{**ADDRESS, **changes})

    assert set(caught.value.errors) == {field}
    member.refresh_from_db()
    assert member.address_street == ""


def test_province_must_agree_with_the_ktp_origin():
    dki = MemberFactory(ktp_origin="DKI")
    with pytest.raises(ProfileError) as caught:
        services.member_address_update(member=dki, **{**ADDRESS, "province": "Jawa Barat"})
    assert set(caught.value.errors) == {"province"}

    non_dki = MemberFactory(ktp_origin="NON_DKI")
    with pytest.raises(ProfileError):
        services.member_address_update(member=non_dki, **ADDRESS)
    services.member_address_update(member=non_dki, **{**ADDRESS, "province": "Jawa Barat", "city": "Kota Bekasi"})


# --- Submit ----------------------------------------------------------------------------


def test_submit_moves_to_menunggu_verifikasi(complete_member):
    services.member_submit(member=complete_member)

    complete_member.refresh_from_db()
    assert complete_member.status == Member.Status.MENUNGGU_VERIFIKASI
    assert complete_member.submitted_at is not None


def test_submit_refuses_when_incomplete_and_says_what_is_missing():
    member = MemberFactory()

    with pytest.raises(ProfileIncomplete) as caught:
        services.member_submit(member=member)

    steps = [item.step for item in caught.value.missing]
    assert steps[0] == Step.PHOTO
    assert {Step.PHOTO, Step.PERSONAL, Step.KTP, Step.ADDRESS} == set(steps)
    assert str(caught.value).startswith("Data belum lengkap: Foto close-up, Nama lengkap sesuai KTP, NIK")
    member.refresh_from_db()
    assert member.status == Member.Status.BELUM_TERVERIFIKASI


def test_submit_non_dki_needs_the_documents(complete_member):
    Member.objects.filter(pk=complete_member.pk).update(
        ktp_origin="NON_DKI", letter_type="DOMISILI", address_province="Jawa Barat"
    )
    complete_member.refresh_from_db()

    with pytest.raises(ProfileIncomplete) as caught:
        services.member_submit(member=complete_member)

    assert [str(item.label) for item in caught.value.missing] == ["Berkas KTP", "Berkas surat keterangan"]


def test_submit_non_dki_with_documents(complete_member):
    services.member_ktp_update(
        member=complete_member, ktp_origin="NON_DKI", letter_type="SEKOLAH", ktp=ktp_upload(), letter=letter_upload()
    )
    services.member_address_update(member=complete_member, **{**ADDRESS, "province": "Banten", "city": "Tangerang"})

    member = services.member_submit(member=complete_member)

    assert member.status == Member.Status.MENUNGGU_VERIFIKASI


def test_submit_catches_an_address_that_no_longer_fits_the_origin(complete_member):
    # DKI address saved, then the person switched to a KTP from outside DKI.
    services.member_ktp_update(
        member=complete_member, ktp_origin="NON_DKI", letter_type="SEKOLAH", ktp=ktp_upload(), letter=letter_upload()
    )

    with pytest.raises(ProfileIncomplete) as caught:
        services.member_submit(member=complete_member)

    assert [item.step for item in caught.value.missing] == [Step.ADDRESS]


def test_submit_twice_is_refused(complete_member):
    services.member_submit(member=complete_member)

    with pytest.raises(ProfileLocked) as caught:
        services.member_submit(member=complete_member)

    assert "Menunggu Verifikasi" in str(caught.value)


def test_rejected_member_may_edit_and_submit_again(complete_member):
    Member.objects.filter(pk=complete_member.pk).update(status=Member.Status.DITOLAK)
    complete_member.refresh_from_db()

    services.member_personal_update(member=complete_member, **{**PERSONAL, "occupation": "Dosen"})
    member = services.member_submit(member=complete_member)

    assert (member.status, member.occupation) == ("MENUNGGU_VERIFIKASI", "Dosen")


# --- Locked under review ---------------------------------------------------------------


EDITS = {
    "photo": lambda member: services.member_photo_save(member=member, photo=photo_upload()),
    "personal": lambda member: services.member_personal_update(member=member, **{**PERSONAL, "full_name": "X"}),
    "ktp": lambda member: services.member_ktp_update(
        member=member, ktp_origin="NON_DKI", letter_type="DOMISILI", ktp=ktp_upload(), letter=letter_upload()
    ),
    "address": lambda member: services.member_address_update(member=member, **{**ADDRESS, "street": "Jl. Lain"}),
}


@pytest.mark.parametrize("status", [Member.Status.MENUNGGU_VERIFIKASI, Member.Status.TERVERIFIKASI])
@pytest.mark.parametrize("edit", list(EDITS))
def test_editing_is_refused_under_review_or_after_verification(complete_member, private_media, status, edit):
    Member.objects.filter(pk=complete_member.pk).update(status=status)
    complete_member.refresh_from_db()
    files_before = files_on_disk(private_media)

    with pytest.raises(ProfileLocked):
        EDITS[edit](complete_member)

    complete_member.refresh_from_db()
    assert complete_member.full_name == "Siti Rahmawati"
    assert complete_member.address_street == "Jl. Cikini Raya No. 73"
    assert complete_member.ktp_origin == "DKI"
    assert files_on_disk(private_media) == files_before
    assert complete_member.documents.count() == 1


def test_a_stale_member_object_cannot_edit_after_submit(complete_member):
    stale = Member.objects.get(pk=complete_member.pk)
    services.member_submit(member=complete_member)
    assert stale.status == Member.Status.BELUM_TERVERIFIKASI  # still what it was when loaded

    with pytest.raises(ProfileLocked):
        services.member_address_update(member=stale, **{**ADDRESS, "street": "Jl. Lain"})

    complete_member.refresh_from_db()
    assert complete_member.address_street == "Jl. Cikini Raya No. 73"


def test_missing_is_empty_for_a_complete_member(complete_member):
    assert services.member_missing(member=complete_member) == []


def test_a_nik_copied_with_dots_and_dashes_is_cleaned_by_the_service():
    member = MemberFactory()

    services.member_personal_update(member=member, **{**PERSONAL, "nik": "3171.0145.0690-0001"})

    member.refresh_from_db()
    assert member.nik == "3171014506900001"
