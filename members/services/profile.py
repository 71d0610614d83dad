"""Lengkapi Data: the member fills in photo, personal data, KTP origin and address, then submits.

Each step is saved on its own (the form is resumable) and all-or-nothing. Every write
locks the member row and refuses unless the member is editable (BELUM_TERVERIFIKASI
or DITOLAK), so nothing changes once the data is under review. Uploads are cleaned
(jaklitera/uploads.py) before the transaction: decoding never happens under the lock.
See docs/profile.md.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from jaklitera.errors import ApplicationError, InvalidTransition
from jaklitera.uploads import CleanFile, UploadError, document_clean, image_clean

from ..models import Document, Member
from ..validators import DKI_PROVINCE_CODE, PROVINCE_CODES, nik_check_against, nik_normalize
from .documents import NewFiles, documents_delete, documents_replace

# The stored close-up: plenty for the librarian's face check and the member card.
PHOTO_MAX_SIDE = 1600
PROVINCES = sorted(PROVINCE_CODES.values())
DKI_PROVINCE = PROVINCE_CODES[DKI_PROVINCE_CODE]
OLDEST_BIRTH_YEAR = 1900


class Step(models.TextChoices):
    """The steps of Lengkapi Data, in order; values are the URL slugs."""

    PHOTO = "foto", _("Foto")
    PERSONAL = "data-diri", _("Data Diri")
    KTP = "ktp", _("KTP")
    ADDRESS = "alamat", _("Alamat")


class ProfileError(ApplicationError):
    """A step was not saved. ``errors`` maps form field name → message shown next to that field."""

    default_message = _("Data belum tersimpan. Periksa kembali isian yang ditandai.")

    def __init__(self, message=None, *, field: str | None = None, errors: dict[str, str] | None = None):
        self.errors = dict(errors or {})
        if field and message:
            self.errors.setdefault(field, message)
        super().__init__(message, field=field)


class ProfileLocked(InvalidTransition):
    """The member's data cannot be changed in its current status."""

    MESSAGES = {
        Member.Status.MENUNGGU_VERIFIKASI: _(
            "Data Anda sedang Menunggu Verifikasi dan tidak dapat diubah selama proses verifikasi."
        ),
        Member.Status.TERVERIFIKASI: _("Data Anda sudah terverifikasi dan tidak dapat diubah lagi."),
    }

    def __init__(self, status: str):
        self.status = status
        super().__init__(self.MESSAGES.get(status))


class ProfileIncomplete(ApplicationError):
    """Selesai was pressed with data missing; ``missing`` lists what, step by step."""

    def __init__(self, missing: list["Missing"]):
        self.missing = missing
        labels = ", ".join(str(item.label) for item in missing)
        super().__init__(_("Data belum lengkap: %(items)s.") % {"items": labels})


MESSAGES = {
    "required": _("Bagian ini wajib diisi."),
    "too_long": _("Maksimal %(max)d karakter."),
    "choice": _("Pilih salah satu pilihan yang tersedia."),
    "birth_date_future": _("Tanggal lahir tidak boleh di masa depan."),
    "birth_date_old": _("Periksa kembali tahun lahir Anda."),
    "ktp_origin": _("Pilih asal KTP Anda."),
    "letter_type": _("Pilih jenis surat keterangan."),
    "ktp_file": _("Unggah foto atau pindaian KTP Anda."),
    "letter_file": _("Unggah surat keterangan domisili, bekerja, atau sekolah di Jakarta."),
    "files_not_saved": _(
        "Data belum tersimpan dan tidak ada berkas yang disimpan. Perbaiki isian yang ditandai, "
        "lalu pilih kembali berkasnya."
    ),
    "rt_rw": _("Isi dengan angka 1–3 digit, mis. 005."),
    "postal_code": _("Kode pos terdiri dari 5 angka."),
    "province_dki": _("Anda memilih e-KTP DKI Jakarta: provinsi pada alamat KTP harus DKI Jakarta."),
    "province_non_dki": _("Anda memilih KTP luar DKI Jakarta: provinsi pada alamat KTP bukan DKI Jakarta."),
}


@dataclass(frozen=True)
class Missing:
    """One thing still missing before Selesai, and the step where it is filled in."""

    step: Step
    label: str


# --- Steps ------------------------------------------------------------------------------


def member_photo_save(*, member: Member, photo) -> Document:
    """Store a new close-up photo (JPEG/PNG ≤ 5 MB, ≥ 300×400 px), replacing the old one.

    Raises ProfileError (field ``photo``) for a refused upload, ProfileLocked if the
    member is not editable. Returns the new photo document.
    """
    try:
        clean = image_clean(
            upload=photo,
            min_width=settings.PHOTO_MIN_WIDTH,
            min_height=settings.PHOTO_MIN_HEIGHT,
            max_side=PHOTO_MAX_SIDE,
        )
    except UploadError as error:
        raise ProfileError(errors={"photo": error.message}) from error
    with NewFiles() as new_files, transaction.atomic():
        locked = _member_lock_editable(member)
        stored = documents_replace(member=locked, files={Document.Kind.PHOTO: clean}, new_files=new_files)
    return stored[Document.Kind.PHOTO]


def member_personal_update(
    *,
    member: Member,
    full_name: str,
    nik: str,
    birth_place: str,
    birth_date: datetime.date | None,
    gender: str,
    occupation: str,
    education: str = "",
) -> Member:
    """Save the personal data as on the KTP.

    The NIK's structure is checked (16 digits, real province code, real date) and must
    agree with the birth date and gender (women: day + 40).
    Raises ProfileError (per field), ProfileLocked. Returns the updated member.
    """
    errors: dict[str, str] = {}
    values = {
        "full_name": _text(errors, "full_name", " ".join((full_name or "").split())),
        # Only presence here: nik_check_against below says precisely what is wrong with it.
        "nik": nik_normalize(nik),
        "birth_place": _text(errors, "birth_place", birth_place),
        "occupation": _text(errors, "occupation", occupation),
        "gender": _choice(errors, "gender", gender, Member.Gender.values),
        "education": _choice(errors, "education", education, Member.Education.values, required=False),
    }
    if not values["nik"]:
        errors["nik"] = MESSAGES["required"]
    if birth_date is None:
        errors["birth_date"] = MESSAGES["required"]
    elif birth_date > timezone.localdate():
        errors["birth_date"] = MESSAGES["birth_date_future"]
    elif birth_date.year < OLDEST_BIRTH_YEAR:
        errors["birth_date"] = MESSAGES["birth_date_old"]
    if "nik" not in errors:
        try:
            nik_check_against(
                values["nik"],
                birth_date=None if "birth_date" in errors else birth_date,
                gender=None if "gender" in errors else values["gender"],
            )
        except ValidationError as error:
            errors["nik"] = error.messages[0]
    if errors:
        raise ProfileError(errors=errors)
    values["birth_date"] = birth_date
    with transaction.atomic():
        locked = _member_lock_editable(member)
        return _member_update(locked, values)


def member_ktp_update(*, member: Member, ktp_origin: str, letter_type: str = "", ktp=None, letter=None) -> Member:
    """Save where the KTP was issued; for a KTP from outside DKI Jakarta also the KTP and the letter.

    ``ktp``/``letter`` are uploads (JPEG, PNG or PDF ≤ 5 MB) or None to keep the stored one.
    A non-DKI member needs both documents, stored or uploaded now, and a letter type.
    All or nothing: if one upload is refused, neither is stored.

    Choosing DKI deletes a stored KTP and letter (they are no longer needed, and personal
    documents are kept only as long as they serve a purpose: UU PDP).

    Raises ProfileError (per field), ProfileLocked. Returns the updated member.
    """
    errors: dict[str, str] = {}
    if ktp_origin not in Member.KtpOrigin.values:
        errors["ktp_origin"] = MESSAGES["ktp_origin"]
    non_dki = ktp_origin == Member.KtpOrigin.NON_DKI
    clean: dict[str, CleanFile] = {}
    if non_dki:
        if letter_type not in Member.LetterType.values:
            errors["letter_type"] = MESSAGES["letter_type"]
        for field, kind, upload in (("ktp", Document.Kind.KTP, ktp), ("letter", Document.Kind.LETTER, letter)):
            if upload is None:
                continue
            try:
                clean[kind] = document_clean(upload=upload)
            except UploadError as error:
                errors[field] = error.message
        # Say everything at once; checked again under the lock below.
        _documents_required(errors, Document.objects.filter(member=member), clean)
    if errors:
        raise _ktp_error(errors)
    with NewFiles() as new_files, transaction.atomic():
        locked = _member_lock_editable(member)
        if non_dki:
            _documents_required(errors, Document.objects.filter(member=locked), clean)
            if errors:
                raise _ktp_error(errors)
            documents_replace(member=locked, files=clean, new_files=new_files)
        else:
            documents_delete(member=locked, kinds=[Document.Kind.KTP, Document.Kind.LETTER])
            letter_type = ""
        return _member_update(locked, {"ktp_origin": ktp_origin, "letter_type": letter_type})


def member_address_update(
    *,
    member: Member,
    street: str,
    rt: str,
    rw: str,
    kelurahan: str,
    kecamatan: str,
    city: str,
    province: str,
    postal_code: str,
) -> Member:
    """Save the address as written on the KTP. RT/RW are stored as three digits (``5`` → ``005``).

    The province must agree with the KTP origin chosen (DKI Jakarta or not), when chosen.
    Raises ProfileError (per field), ProfileLocked. Returns the updated member.
    """
    errors: dict[str, str] = {}
    values = {
        "address_street": _text(errors, "street", street, model_field="address_street"),
        "address_rt": _rt_rw(errors, "rt", rt),
        "address_rw": _rt_rw(errors, "rw", rw),
        "address_kelurahan": _text(errors, "kelurahan", kelurahan, model_field="address_kelurahan"),
        "address_kecamatan": _text(errors, "kecamatan", kecamatan, model_field="address_kecamatan"),
        "address_city": _text(errors, "city", city, model_field="address_city"),
        "address_province": _choice(errors, "province", province, PROVINCES),
        "address_postal_code": (postal_code or "").strip(),
    }
    code = values["address_postal_code"]
    if not (len(code) == 5 and code.isascii() and code.isdigit() and code[0] != "0"):
        errors["postal_code"] = MESSAGES["postal_code"] if code else MESSAGES["required"]
    if errors:
        raise ProfileError(errors=errors)
    with transaction.atomic():
        locked = _member_lock_editable(member)
        mismatch = _province_mismatch(locked.ktp_origin, values["address_province"])
        if mismatch:
            raise ProfileError(errors={"province": MESSAGES[mismatch]})
        return _member_update(locked, values)


def member_submit(*, member: Member) -> Member:
    """Selesai: hand the data to the librarians. Status becomes MENUNGGU_VERIFIKASI.

    The submission goes into the review queue; after a rejection (DITOLAK) it is marked
    as a resubmission. Raises ProfileLocked if already submitted or verified,
    ProfileIncomplete (with ``missing``) if something is missing. Returns the updated member.
    """
    from verification.services import submission_open  # the queue app depends on members, not the reverse

    with transaction.atomic():
        # Locked: a double click or a second tab cannot submit twice or edit in between.
        locked = _member_lock_editable(member)
        missing = member_missing(member=locked)
        if missing:
            raise ProfileIncomplete(missing)
        locked.status = Member.Status.MENUNGGU_VERIFIKASI
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        submission_open(member=locked)
    return locked


# --- Completeness -----------------------------------------------------------------------


def member_missing(*, member: Member, document_kinds: set[str] | None = None) -> list[Missing]:
    """What is still missing before Selesai, in step order; empty when complete.

    ``document_kinds``: the kinds stored for the member, if the caller already has them.
    """
    if document_kinds is None:
        document_kinds = set(Document.objects.filter(member=member).values_list("kind", flat=True))
    missing: list[Missing] = []
    if Document.Kind.PHOTO not in document_kinds:
        missing.append(Missing(Step.PHOTO, _("Foto close-up")))
    for name in ("full_name", "nik", "birth_place", "birth_date", "gender", "occupation"):
        if not getattr(member, name):
            missing.append(Missing(Step.PERSONAL, _label(name)))
    if not member.ktp_origin:
        missing.append(Missing(Step.KTP, _label("ktp_origin")))
    elif member.needs_documents:
        if not member.letter_type:
            missing.append(Missing(Step.KTP, _label("letter_type")))
        if Document.Kind.KTP not in document_kinds:
            missing.append(Missing(Step.KTP, _("Berkas KTP")))
        if Document.Kind.LETTER not in document_kinds:
            missing.append(Missing(Step.KTP, _("Berkas surat keterangan")))
    for name in (
        "address_street",
        "address_rt",
        "address_rw",
        "address_kelurahan",
        "address_kecamatan",
        "address_city",
        "address_province",
        "address_postal_code",
    ):
        if not getattr(member, name):
            missing.append(Missing(Step.ADDRESS, _label(name)))
    if member.address_province and _province_mismatch(member.ktp_origin, member.address_province):
        missing.append(Missing(Step.ADDRESS, _("Provinsi sesuai asal KTP")))
    return missing


# --- Helpers ----------------------------------------------------------------------------


def _member_lock_editable(member: Member) -> Member:
    """Lock the member row (call inside a transaction) and refuse unless its data may change."""
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if not locked.is_editable:
        raise ProfileLocked(locked.status)
    return locked


def _member_update(member: Member, values: dict) -> Member:
    for name, value in values.items():
        setattr(member, name, value)
    member.save(update_fields=[*values, "updated_at"])
    return member


def _label(name: str) -> str:
    return capfirst(Member._meta.get_field(name).verbose_name)


def _text(errors: dict, field: str, value: str, *, model_field: str | None = None) -> str:
    value = (value or "").strip()
    max_length = Member._meta.get_field(model_field or field).max_length
    if not value:
        errors[field] = MESSAGES["required"]
    elif len(value) > max_length:
        errors[field] = MESSAGES["too_long"] % {"max": max_length}
    return value


def _choice(errors: dict, field: str, value: str, allowed, *, required: bool = True) -> str:
    value = value or ""
    if not value:
        if required:
            errors[field] = MESSAGES["required"]
    elif value not in allowed:
        errors[field] = MESSAGES["choice"]
    return value


def _rt_rw(errors: dict, field: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = MESSAGES["required"]
        return value
    if not (len(value) <= 3 and value.isascii() and value.isdigit() and int(value) > 0):
        errors[field] = MESSAGES["rt_rw"]
        return value
    return value.zfill(3)


def _province_mismatch(ktp_origin: str, province: str) -> str | None:
    if ktp_origin == Member.KtpOrigin.DKI and province != DKI_PROVINCE:
        return "province_dki"
    if ktp_origin == Member.KtpOrigin.NON_DKI and province == DKI_PROVINCE:
        return "province_non_dki"
    return None


def _documents_required(errors: dict, stored, clean: dict[str, CleanFile]) -> None:
    kinds = set(stored.values_list("kind", flat=True)) | set(clean)
    if Document.Kind.KTP not in kinds:
        errors.setdefault("ktp", MESSAGES["ktp_file"])
    if Document.Kind.LETTER not in kinds:
        errors.setdefault("letter", MESSAGES["letter_file"])


def _ktp_error(errors: dict) -> ProfileError:
    # Browsers never refill a file input: say plainly that the chosen files were not kept.
    message = MESSAGES["files_not_saved"] if {"ktp", "letter"} & set(errors) else None
    return ProfileError(message, errors=errors)
