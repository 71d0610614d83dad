"""Thin views of group visits (Rombongan): request, Rombongan Saya, detail, cancel, QR,
confirmation letter (PDF) and the private request letter."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_safe

from jaklitera.errors import ApplicationError
from jaklitera.private_files import private_file_response
from jaklitera.uploads import UploadError

from . import group_selectors as selectors
from .errors import GroupQuotaFull, VisitsBusy
from .group_forms import GroupVisitForm
from .group_pdf import group_confirmation_response
from .qr import qr_svg
from .services import groups as services


class GroupVisitListView(LoginRequiredMixin, View):
    """Rombongan Saya: the person's group requests and their status."""

    def get(self, request):
        return render(
            request, "visits/group_list.html", {"group_visits": selectors.group_visits_for_requester(user=request.user)}
        )


class GroupVisitCreateView(LoginRequiredMixin, View):
    template_name = "visits/group_form.html"

    def render_form(self, form, *, error=None, alternatives=(), status=200):
        response = render(
            self.request,
            self.template_name,
            {
                "form": form,
                "error": error,
                "alternatives": alternatives,
                "email_confirmed": bool(self.request.user.email_confirmed_at),
                "decision_days": settings.GROUP_VISIT_DECISION_WORKING_DAYS,
            },
            status=status,
        )
        if status == 503:
            response["Retry-After"] = "3"
        return response

    def get(self, request):
        return self.render_form(GroupVisitForm(sessions=selectors.group_session_choices()))

    def post(self, request):
        form = GroupVisitForm(request.POST, request.FILES, sessions=selectors.group_session_choices())
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        try:
            group_visit = services.group_visit_create(
                requester=request.user,
                institution_name=data["institution_name"],
                institution_type=data["institution_type"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                participants=data["participants"],
                children=data["children"],
                age_group=data["age_group"],
                purpose=data["purpose"],
                session_id=data["session"],
                alternative_session_id=data["alternative_session"],
                letter=data["letter"],
                token=data["token"],
            )
        except GroupQuotaFull as error:
            form.add_error("session", str(error))
            return self.render_form(form, alternatives=error.alternatives, status=409)
        except ApplicationError as error:
            field = "letter" if isinstance(error, UploadError) else error.field
            if field in form.fields:
                form.add_error(field, str(error))
                return self.render_form(form, status=400)
            return self.render_form(form, error=str(error), status=503 if isinstance(error, VisitsBusy) else 409)
        messages.success(
            request,
            _("Permohonan terkirim. Tempat untuk %(n)d peserta kami tahan sambil menunggu persetujuan petugas.")
            % {"n": group_visit.participants},
        )
        return redirect("visits:group_detail", group_visit_id=group_visit.pk)


class _OwnGroupMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.group_visit = selectors.group_visit_get_for_requester(
            user=request.user, group_visit_id=kwargs["group_visit_id"]
        )
        if self.group_visit is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def can_cancel(self) -> bool:
        return services.group_visit_can_cancel(group_visit=self.group_visit)


class GroupVisitDetailView(_OwnGroupMixin, View):
    def get(self, request, group_visit_id):
        return render(
            request,
            "visits/group_detail.html",
            {"group_visit": self.group_visit, "can_cancel": self.can_cancel()},
        )


class GroupVisitCancelView(_OwnGroupMixin, View):
    template_name = "visits/group_cancel.html"

    def get(self, request, group_visit_id):
        if not self.can_cancel():
            messages.info(request, _("Rombongan ini tidak dapat dibatalkan lagi."))
            return redirect("visits:group_detail", group_visit_id=group_visit_id)
        return render(request, self.template_name, {"group_visit": self.group_visit})

    def post(self, request, group_visit_id):
        try:
            services.group_visit_cancel(group_visit_id=self.group_visit.pk, requester=request.user)
        except ApplicationError as error:
            status = 503 if isinstance(error, VisitsBusy) else 409
            return render(
                request, self.template_name, {"group_visit": self.group_visit, "error": str(error)}, status=status
            )
        messages.success(request, _("Kunjungan rombongan dibatalkan. Tempatnya sudah dikembalikan."))
        return redirect("visits:group_list")


class GroupVisitQrView(_OwnGroupMixin, View):
    def get(self, request, group_visit_id):
        if not self.group_visit.is_confirmed:
            raise Http404
        response = HttpResponse(qr_svg(self.group_visit.code), content_type="image/svg+xml")
        patch_cache_control(response, private=True, max_age=3600)
        return response


class GroupVisitConfirmationView(_OwnGroupMixin, View):
    """The confirmation letter (PDF), for the requester of an approved group."""

    def get(self, request, group_visit_id):
        if not self.group_visit.is_confirmed:
            raise Http404
        return group_confirmation_response(group_visit=self.group_visit)


@require_safe
def group_letter_view(request, group_visit_id):
    """The request letter, inline, to the requester or permitted staff (each staff view logged).
    Anyone else, signed in or not, gets the same 404 as for a missing id."""
    group_visit = selectors.group_letter_get_viewable(group_visit_id=group_visit_id, user=request.user)
    if group_visit is None:
        raise Http404
    response = private_file_response(
        field_file=group_visit.letter,
        content_type=group_visit.letter_content_type,
        filename=f"surat-permohonan{group_visit.letter_extension}",
    )
    if group_visit.requester_id != request.user.pk:
        services.group_letter_access_log(group_visit=group_visit, viewer=request.user)
    return response
