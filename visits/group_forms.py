"""Parsing and field validation of the group visit (Rombongan) request form."""

import uuid

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from members.validators import phone_normalize

from .models import GroupVisit, Session


def session_label(session: Session, *, short: bool = False) -> str:
    """A session as a choice: "Senin, 8 Juni 2026, 09.00–13.00 WIB (sisa 300)", or short enough
    for a phone's select: "Sen 8 Jun · 09.00–13.00 · sisa 300"."""
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    if short:
        return _("%(day)s · %(start)s–%(end)s · sisa %(left)d") % {
            "day": formats.date_format(session.date, "D j M"),
            "start": f"{start:%H.%M}",
            "end": f"{end:%H.%M}",
            "left": session.places_left,
        }
    return _("%(day)s, %(start)s–%(end)s WIB (sisa %(left)d)") % {
        "day": formats.date_format(session.date, "l, j F Y"),
        "start": f"{start:%H.%M}",
        "end": f"{end:%H.%M}",
        "left": session.places_left,
    }


class GroupVisitForm(forms.Form):
    """``sessions``: the sessions that can be chosen (open, bookable). ``token`` makes a double
    submit return the first request (see group_visit_create)."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    institution_name = forms.CharField(label=_("Nama instansi"), max_length=150)
    institution_type = forms.ChoiceField(label=_("Jenis instansi"), choices=GroupVisit.InstitutionType.choices)
    contact_name = forms.CharField(label=_("Nama penanggung jawab"), max_length=100)
    contact_phone = forms.CharField(
        label=_("Nomor ponsel penanggung jawab"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    participants = forms.IntegerField(
        label=_("Jumlah peserta"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    children = forms.IntegerField(
        label=_("Jumlah anak (di bawah 18 tahun)"),
        min_value=0,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    age_group = forms.ChoiceField(label=_("Kelompok usia"), choices=GroupVisit.AgeGroup.choices)
    purpose = forms.CharField(label=_("Tujuan kunjungan"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    session = forms.TypedChoiceField(
        label=_("Sesi pilihan"), coerce=int, help_text=_("Jam dalam WIB; angka terakhir adalah sisa tempat.")
    )
    alternative_session = forms.TypedChoiceField(label=_("Sesi alternatif"), coerce=int)
    letter = forms.FileField(
        label=_("Surat permohonan"),
        help_text=_("PDF, JPEG atau PNG, maksimal 5 MB. Surat resmi dari instansi, ditandatangani."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        low, high = settings.GROUP_VISIT_MIN_PARTICIPANTS, settings.GROUP_VISIT_MAX_PARTICIPANTS
        self.fields["token"].initial = uuid.uuid4()
        participants = self.fields["participants"]
        participants.min_value, participants.max_value = low, high
        participants.validators += [MinValueValidator(low), MaxValueValidator(high)]
        participants.widget.attrs.update({"min": low, "max": high})
        participants.help_text = _("%(low)d–%(high)d orang, termasuk guru/pendamping.") % {"low": low, "high": high}
        choices = [("", _("— pilih sesi —"))] + [(s.pk, session_label(s, short=True)) for s in sessions]
        self.fields["session"].choices = choices
        self.fields["alternative_session"].choices = choices

    def clean_contact_phone(self):
        return phone_normalize(self.cleaned_data["contact_phone"])

    def clean(self):
        cleaned = super().clean()
        participants, children = cleaned.get("participants"), cleaned.get("children")
        if participants is not None and children is not None and children > participants:
            self.add_error("children", _("Jumlah anak tidak boleh lebih dari jumlah peserta."))
        session, alternative = cleaned.get("session"), cleaned.get("alternative_session")
        if session and alternative and session == alternative:
            self.add_error("alternative_session", _("Pilih sesi alternatif yang berbeda dari sesi pilihan."))
        return cleaned


class GroupRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penolakan"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Dikirim kepada pemohon."),
        error_messages={"required": _("Tuliskan alasan penolakan.")},
    )


class GroupMoveForm(forms.Form):
    session = forms.TypedChoiceField(label=_("Pindah ke sesi"), coerce=int)

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [(s.pk, session_label(s)) for s in sessions]


class GroupCheckinForm(forms.Form):
    code = forms.CharField(label=_("Kode rombongan"), max_length=20)
    present = forms.IntegerField(label=_("Jumlah hadir"), min_value=1, required=False)
