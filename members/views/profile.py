"""Lengkapi Data: Foto → Data Diri → KTP → Alamat → Ringkasan (Selesai).

Each step saves on "Selanjutnya" and can be left and resumed; the entry URL opens the
first incomplete step. Rules live in members/services/profile.py.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ..forms.profile import AddressForm, KtpForm, PersonalForm, PhotoForm
from ..models import Document
from ..selectors import member_documents, member_get_for_user
from ..services import profile as services
from ..services.profile import Step
from ..validators import DKI_PROVINCE_CODE

SUMMARY = "ringkasan"
STEP_URLS = {
    Step.PHOTO: "members:profile_photo",
    Step.PERSONAL: "members:profile_personal",
    Step.KTP: "members:profile_ktp",
    Step.ADDRESS: "members:profile_address",
    SUMMARY: "members:profile_summary",
}
ORDER = [Step.PHOTO, Step.PERSONAL, Step.KTP, Step.ADDRESS, SUMMARY]
LABELS = {**dict(Step.choices), SUMMARY: gettext_lazy("Ringkasan")}


class _ProfileMixin(LoginRequiredMixin):
    """Signed in, with a member (confirmed email), whose data may still be edited."""

    step: str = ""
    template_name = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.member = member_get_for_user(user=request.user)
        if self.member is None:
            return redirect("members:account")
        if not self.member.is_editable:
            return _locked(request, services.ProfileLocked(self.member.status))
        self.documents = member_documents(member=self.member)
        return super().dispatch(request, *args, **kwargs)

    def missing(self) -> list[services.Missing]:
        return services.member_missing(member=self.member, document_kinds=set(self.documents))

    def progress(self, missing) -> list[dict]:
        incomplete = {item.step for item in missing}
        return [
            {
                "label": LABELS[step],
                "url": reverse(STEP_URLS[step]),
                "done": step != SUMMARY and step not in incomplete,
                "current": step == self.step,
                "number": index,
            }
            for index, step in enumerate(ORDER, start=1)
        ]

    def render_step(self, form=None, *, status: int = 200, **extra):
        missing = self.missing()
        index = ORDER.index(self.step)
        context = {
            "form": form,
            "member": self.member,
            "documents": self.documents,
            "photo": self.documents.get(Document.Kind.PHOTO),
            "steps": self.progress(missing),
            "step_number": index + 1,
            "step_count": len(ORDER),
            "step_label": LABELS[self.step],
            "previous_url": reverse(STEP_URLS[ORDER[index - 1]]) if index else None,
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)

    def next_step(self):
        return redirect(STEP_URLS[ORDER[ORDER.index(self.step) + 1]])

    def service_failed(self, form, error: services.ProfileError):
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
        if error.errors:
            form.add_error(None, error.message)
        else:
            form.add_error(None, str(error))
        return self.render_step(form, status=400)


def _locked(request, error: services.ProfileLocked):
    messages.info(request, str(error))
    return redirect("members:account")


class ProfileStartView(_ProfileMixin, View):
    """/akun/lengkapi-data/: continue where the person left off."""

    def get(self, request):
        missing = self.missing()
        return redirect(STEP_URLS[missing[0].step] if missing else STEP_URLS[SUMMARY])


class _StepView(_ProfileMixin, View):
    form_class = None
    saved_message = ""

    def form_kwargs(self) -> dict:
        return {}

    def initial(self) -> dict:
        return {}

    def get(self, request):
        return self.render_step(self.form_class(initial=self.initial(), **self.form_kwargs()))

    def post(self, request):
        form = self.form_class(request.POST, request.FILES, initial=self.initial(), **self.form_kwargs())
        if not form.is_valid():
            # A summary on top (role=alert) for screen readers; details sit next to each field.
            form.add_error(None, self.invalid_message())
            return self.render_step(form, status=400)
        try:
            self.save(form.cleaned_data)
        except services.ProfileLocked as error:
            return _locked(request, error)
        except services.ProfileError as error:
            return self.service_failed(form, error)
        messages.success(request, self.saved_message)
        return self.next_step()

    def save(self, data: dict) -> None:
        raise NotImplementedError

    def invalid_message(self):
        if self.request.FILES:
            # Browsers never refill a file input: say plainly that the chosen files were not kept.
            return services.MESSAGES["files_not_saved"]
        return services.ProfileError.default_message


class PhotoStepView(_StepView):
    step = Step.PHOTO
    template_name = "members/profile_photo.html"
    form_class = PhotoForm
    saved_message = gettext_lazy("Foto tersimpan.")

    def form_kwargs(self):
        return {"has_photo": Document.Kind.PHOTO in self.documents}

    def save(self, data):
        if data.get("photo"):
            services.member_photo_save(member=self.member, photo=data["photo"])


class PersonalStepView(_StepView):
    step = Step.PERSONAL
    template_name = "members/profile_personal.html"
    form_class = PersonalForm
    saved_message = gettext_lazy("Data diri tersimpan.")
    FIELDS = ("full_name", "nik", "birth_place", "birth_date", "gender", "occupation", "education")

    def initial(self):
        return {name: getattr(self.member, name) for name in self.FIELDS}

    def save(self, data):
        services.member_personal_update(member=self.member, **{name: data[name] for name in self.FIELDS})


class KtpStepView(_StepView):
    step = Step.KTP
    template_name = "members/profile_ktp.html"
    form_class = KtpForm
    saved_message = gettext_lazy("Data KTP tersimpan.")

    def form_kwargs(self):
        return {"has_ktp": Document.Kind.KTP in self.documents, "has_letter": Document.Kind.LETTER in self.documents}

    def initial(self):
        origin = self.member.ktp_origin
        if not origin and self.member.nik.startswith(DKI_PROVINCE_CODE):
            # A NIK from Jakarta is a hint, not proof: preselected, the person decides.
            origin = self.member.KtpOrigin.DKI
        return {"ktp_origin": origin, "letter_type": self.member.letter_type}

    def save(self, data):
        services.member_ktp_update(
            member=self.member,
            ktp_origin=data["ktp_origin"],
            letter_type=data["letter_type"],
            ktp=data.get("ktp"),
            letter=data.get("letter"),
        )


class AddressStepView(_StepView):
    step = Step.ADDRESS
    template_name = "members/profile_address.html"
    form_class = AddressForm
    saved_message = gettext_lazy("Alamat tersimpan.")
    FIELDS = ("street", "rt", "rw", "kelurahan", "kecamatan", "city", "province", "postal_code")

    def initial(self):
        member = self.member
        initial = {name: getattr(member, f"address_{name}") for name in self.FIELDS}
        if not initial["province"] and member.ktp_origin == member.KtpOrigin.DKI:
            initial["province"] = services.DKI_PROVINCE
        return initial

    def save(self, data):
        services.member_address_update(member=self.member, **{name: data[name] for name in self.FIELDS})


class ProfileSummaryView(_ProfileMixin, View):
    """Ringkasan: everything at a glance, then Selesai."""

    step = SUMMARY
    template_name = "members/profile_summary.html"

    def get(self, request):
        return self.render_step(missing=self.missing_links(self.missing()))

    def post(self, request):
        try:
            services.member_submit(member=self.member)
        except services.ProfileLocked as error:
            return _locked(request, error)
        except services.ProfileIncomplete as error:
            return self.render_step(missing=self.missing_links(error.missing), error=str(error), status=400)
        messages.success(
            request,
            _("Terima kasih! Data Anda sudah kami terima dan sekarang berstatus Menunggu Verifikasi."),
        )
        return redirect("members:account")

    @staticmethod
    def missing_links(missing) -> list[dict]:
        return [{"label": item.label, "url": reverse(STEP_URLS[item.step])} for item in missing]
