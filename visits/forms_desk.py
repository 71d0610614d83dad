"""Parsing of the desk's forms (Daftar Kunjungan Hari Ini, check-in, walk-in, blocks)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.validators import phone_normalize

from .selectors_desk import STATUS_FILTERS


class DayFilterForm(forms.Form):
    """The list's filters (GET). Every field is optional; bad values fall back to the defaults."""

    STATUS_CHOICES = [
        ("", _("Semua yang memesan")),
        ("EXPECTED", _("Belum datang")),
        ("CHECKED_IN", _("Sudah check-in")),
        ("NO_SHOW", _("Tidak hadir")),
        ("CANCELLED", _("Dibatalkan")),
        ("ALL", _("Semua, termasuk dibatalkan")),
    ]

    tanggal = forms.DateField(label=_("Tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sesi = forms.CharField(label=_("Sesi"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Kode, nomor anggota, nama atau ponsel"), "autocomplete": "off"}
        ),
    )

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        raw_session = (data.get("sesi") or "").strip()
        status = data.get("status") or ""
        return {
            "day": data.get("tanggal") or timezone.localdate(),
            # None = not chosen (the page picks the session checking in now); "semua" = the whole day.
            "session": int(raw_session) if raw_session.isdigit() else ("semua" if raw_session == "semua" else None),
            "status": status if status in STATUS_FILTERS else "",
            "q": (data.get("q") or "").strip(),
        }


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=_("Pindai atau ketik kode reservasi / nomor anggota"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "class": "scan-input",
            }
        ),
    )
    override = forms.BooleanField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Catatan pengecualian"), max_length=200, required=False)
    # Rombongan only: how many of the group came (the service checks 1..group size).
    present = forms.IntegerField(label=_("Jumlah hadir"), required=False, min_value=0, max_value=10000)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class UndoForm(forms.Form):
    reservation = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Alasan"), max_length=200, required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class WalkinForm(forms.Form):
    """An existing account (email, mobile or member number) or a guest (name + mobile)."""

    session = forms.TypedChoiceField(label=_("Sesi"), coerce=int, choices=())
    account = forms.CharField(
        label=_("Akun: email, nomor ponsel atau nomor anggota"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    guest_name = forms.CharField(
        label=_("Nama tamu (tanpa akun)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    guest_phone = forms.CharField(
        label=_("Nomor ponsel tamu"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    children = forms.IntegerField(
        label=_("Anak pendamping"),
        min_value=0,
        max_value=settings.VISITS_MAX_CHILDREN,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [(s.pk, label) for s, label in sessions]

    def clean_guest_phone(self):
        raw = self.cleaned_data.get("guest_phone", "")
        return phone_normalize(raw) if raw.strip() else ""

    def clean(self):
        cleaned = super().clean()
        account = (cleaned.get("account") or "").strip()
        name = (cleaned.get("guest_name") or "").strip()
        if account and (name or cleaned.get("guest_phone")):
            raise ValidationError(_("Isi akun, atau nama dan ponsel tamu, tidak keduanya."))
        if not account:
            if not name:
                self.add_error("guest_name", _("Isi akun yang ada, atau nama tamu."))
            if not cleaned.get("guest_phone") and "guest_phone" not in self.errors:
                self.add_error("guest_phone", _("Isi nomor ponsel tamu."))
        return cleaned


class BlockLiftForm(forms.Form):
    reason = forms.CharField(label=_("Alasan mencabut blokir"), max_length=200)
