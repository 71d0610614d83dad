"""Parsing and field validation of the booking and reschedule forms."""

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .services import Child


class ReservationForm(forms.Form):
    """The party (up to VISITS_MAX_CHILDREN children, name + age) and the acknowledgement.

    ``token`` is minted when the form is shown: submitting the same form twice
    returns the reservation the first submit made (see reservation_create).
    """

    token = forms.UUIDField(widget=forms.HiddenInput)
    acknowledge = forms.BooleanField(
        label=_("Saya sudah membaca dan akan mematuhi tata tertib dan protokol kesehatan."),
        error_messages={"required": _("Anda perlu menyetujui tata tertib dan protokol kesehatan.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = uuid.uuid4()
        self.child_rows = []
        for i in range(1, settings.VISITS_MAX_CHILDREN + 1):
            self.fields[f"child_{i}_name"] = forms.CharField(
                label=_("Nama anak %(n)d") % {"n": i},
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            self.fields[f"child_{i}_age"] = forms.IntegerField(
                label=_("Umur anak %(n)d") % {"n": i},
                min_value=0,
                max_value=settings.VISITS_CHILD_MAX_AGE,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.child_rows.append((i, self[f"child_{i}_name"], self[f"child_{i}_age"]))

    def clean(self):
        cleaned = super().clean()
        for i in range(1, settings.VISITS_MAX_CHILDREN + 1):
            name = (cleaned.get(f"child_{i}_name") or "").strip()
            age = cleaned.get(f"child_{i}_age")
            if name and age is None and f"child_{i}_age" not in self.errors:
                self.add_error(f"child_{i}_age", _("Isi umur anak ini."))
            if age is not None and not name:
                self.add_error(f"child_{i}_name", _("Isi nama anak ini."))
        return cleaned

    def children(self) -> list[Child]:
        result = []
        for i in range(1, settings.VISITS_MAX_CHILDREN + 1):
            name = (self.cleaned_data.get(f"child_{i}_name") or "").strip()
            if name:
                result.append(Child(name=name, age=self.cleaned_data[f"child_{i}_age"]))
        return result


class RescheduleForm(forms.Form):
    session = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": _("Pilih sesi baru.")})
