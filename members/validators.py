"""Field rules for Indonesian identity data: mobile numbers and the NIK."""

import datetime
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Kode wilayah provinsi (Kemendagri), the first two digits of a NIK.
PROVINCE_CODES = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}
DKI_PROVINCE_CODE = "31"
_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def phone_normalize(raw: str) -> str:
    """Parse an Indonesian mobile number in any common form and return it as E.164 (+62…).

    Raises ValidationError for anything that is not a valid Indonesian mobile number.
    """
    text = (raw or "").strip()
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != 62
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        raise ValidationError(
            _("Nomor ponsel tidak valid. Gunakan nomor ponsel Indonesia, mis. 0812 3456 7890."),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, "ID"), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164


@dataclass(frozen=True)
class NikParts:
    province_code: str
    birth_date: datetime.date | None
    is_female: bool

    @property
    def province_name(self) -> str:
        return PROVINCE_CODES.get(self.province_code, "")

    @property
    def is_dki(self) -> bool:
        return self.province_code == DKI_PROVINCE_CODE


def nik_normalize(raw: str) -> str:
    """People copy the NIK with spaces, dots or dashes ("3171 0145 0690 0001"): keep the digits' text."""
    return "".join(ch for ch in (raw or "") if ch not in " .-\t\n")


def nik_parse(nik: str) -> NikParts:
    """Check a NIK's structure: 16 digits, a real province code, a real date (women: day + 40).

    The two-digit year is resolved against today (a NIK never carries a future birth date).
    Raises ValidationError with a message in the user's language.
    """
    if not (len(nik) == 16 and nik.isdigit()):
        raise ValidationError(_("NIK harus terdiri dari 16 angka."), code="nik_format")
    if nik[:2] not in PROVINCE_CODES:
        raise ValidationError(_("Kode provinsi pada NIK (2 angka pertama) tidak dikenal."), code="nik_province")
    if nik[2:4] == "00" or nik[4:6] == "00" or nik[12:] == "0000":
        raise ValidationError(_("Struktur NIK tidak valid."), code="nik_structure")
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    is_female = day > 40
    if is_female:
        day -= 40
    today = datetime.date.today()
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    try:
        birth_date = datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(
            _("Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak valid."), code="nik_date"
        ) from None
    return NikParts(province_code=nik[:2], birth_date=birth_date, is_female=is_female)


def nik_check_against(nik: str, *, birth_date: datetime.date | None, gender: str | None) -> NikParts:
    """Parse the NIK and check it agrees with the entered birth date and gender ('L'/'P')."""
    parts = nik_parse(nik)
    nik_date = parts.birth_date
    if (
        birth_date is not None
        and nik_date is not None
        and (nik_date.day, nik_date.month, nik_date.year % 100)
        != (birth_date.day, birth_date.month, birth_date.year % 100)
    ):
        raise ValidationError(
            _("Tanggal lahir pada NIK tidak sesuai dengan tanggal lahir yang Anda isi."), code="nik_birth_date"
        )
    if gender and (gender == "P") != parts.is_female:
        raise ValidationError(
            _("NIK tidak sesuai dengan jenis kelamin yang Anda pilih (perempuan: tanggal lahir + 40)."),
            code="nik_gender",
        )
    return parts
