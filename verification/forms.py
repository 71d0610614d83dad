"""Parsing only: the rules (reasons and note required) live in verification/services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RejectionReason
from .services import NOTE_MAX_LENGTH


class RejectForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label=_("Alasan penolakan"),
        choices=RejectionReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Penjelasan untuk anggota"),
        help_text=_("Dikirim ke anggota lewat email: tulis apa yang perlu diperbaiki."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX_LENGTH,
        required=False,
    )
