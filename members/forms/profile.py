"""Lengkapi Data forms: they parse what was sent; the rules live in members/services/profile.py.

Field names are the keyword arguments of the step services, so a ``ProfileError``
lands next to the right field.
"""

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from ..models import Member
from ..services.profile import PROVINCES

IMAGE_ACCEPT = "image/jpeg,image/png,.jpg,.jpeg,.png"
DOCUMENT_ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"
MAX_MB = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
# Interpolate when rendered, in the language of the request (not at import).
interpolate_lazy = lazy(lambda message, params: message % params, str)


def _numeric(max_length: int, autocomplete: str = "off") -> forms.TextInput:
    return forms.TextInput(
        attrs={"inputmode": "numeric", "pattern": "[0-9]*", "maxlength": max_length, "autocomplete": autocomplete}
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Foto close-up"),
        help_text=interpolate_lazy(
            _(
                "Foto wajah terbaru, tampak jelas dari depan. JPEG atau PNG, maksimal %(mb)s MB, "
                "minimal %(width)s×%(height)s piksel."
            ),
            {"mb": MAX_MB, "width": settings.PHOTO_MIN_WIDTH, "height": settings.PHOTO_MIN_HEIGHT},
        ),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT, "data-preview": "photo-preview"}),
        error_messages={"required": _("Pilih foto close-up Anda."), "empty": _("Berkas kosong.")},
    )

    def __init__(self, *args, has_photo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # A stored photo may be kept: the person only continues.
        self.fields["photo"].required = not has_photo
        if has_photo:
            self.fields["photo"].label = _("Ganti foto")


class PersonalForm(forms.Form):
    full_name = forms.CharField(
        label=_("Nama lengkap sesuai KTP"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        help_text=_("16 angka Nomor Induk Kependudukan, tertera di KTP."),
        widget=_numeric(24),
    )
    birth_place = forms.CharField(
        label=_("Tempat lahir"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Tanggal lahir"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        error_messages={"invalid": _("Isi tanggal lahir dengan format HH-BB-TTTT.")},
    )
    gender = forms.ChoiceField(
        label=_("Jenis kelamin"),
        choices=Member.Gender.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih jenis kelamin.")},
    )
    occupation = forms.CharField(
        label=_("Pekerjaan"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    education = forms.ChoiceField(
        label=_("Pendidikan terakhir"),
        required=False,
        choices=[("", _("— Pilih —")), *Member.Education.choices],
    )


class KtpForm(forms.Form):
    ktp_origin = forms.ChoiceField(
        label=_("Asal KTP"),
        choices=Member.KtpOrigin.choices,
        widget=forms.RadioSelect,
        help_text=_("Pilih sesuai alamat yang tertera di KTP Anda."),
        error_messages={"required": _("Pilih asal KTP Anda.")},
    )
    letter_type = forms.ChoiceField(
        label=_("Jenis surat keterangan"),
        choices=Member.LetterType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih jenis surat keterangan.")},
    )
    ktp = forms.FileField(
        label=_("Foto atau pindaian KTP"),
        error_messages={"required": _("Unggah foto atau pindaian KTP Anda.")},
        help_text=interpolate_lazy(_("JPEG, PNG atau PDF, maksimal %(mb)s MB."), {"mb": MAX_MB}),
        widget=forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )
    letter = forms.FileField(
        label=_("Surat Keterangan Domisili / Bekerja / Sekolah di Jakarta"),
        error_messages={"required": _("Unggah surat keterangan domisili, bekerja, atau sekolah di Jakarta.")},
        help_text=interpolate_lazy(_("JPEG, PNG atau PDF, maksimal %(mb)s MB."), {"mb": MAX_MB}),
        widget=forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )

    def __init__(self, *args, has_ktp: bool = False, has_letter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Needed only for a KTP from outside DKI; a stored file may be kept.
        dki = self.data.get(self.add_prefix("ktp_origin")) == Member.KtpOrigin.DKI
        self.fields["letter_type"].required = not dki
        self.fields["ktp"].required = not (dki or has_ktp)
        self.fields["letter"].required = not (dki or has_letter)


class AddressForm(forms.Form):
    street = forms.CharField(
        label=_("Alamat (jalan, nomor)"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    rt = forms.CharField(label=_("RT"), max_length=3, widget=_numeric(3))
    rw = forms.CharField(label=_("RW"), max_length=3, widget=_numeric(3))
    kelurahan = forms.CharField(
        label=_("Kelurahan/desa"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level4"}),
    )
    kecamatan = forms.CharField(
        label=_("Kecamatan"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level3"}),
    )
    city = forms.CharField(
        label=_("Kota/kabupaten"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    province = forms.ChoiceField(
        label=_("Provinsi"),
        choices=[("", _("— Pilih —")), *((name, name) for name in PROVINCES)],
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    postal_code = forms.CharField(label=_("Kode pos"), max_length=5, widget=_numeric(5, "postal-code"))
