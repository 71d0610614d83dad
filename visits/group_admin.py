"""Rombongan in Django admin: the pending list (soonest visit first), the decision page
(approve / reject with a reason / move), the request letter through the private view (logged),
check-in by group code, and the read-only history and letter access log.

Thin: every rule is in visits/services/groups.py. Imported by visits/admin.py.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jaklitera.admin_filters import DefaultStatusFilter, ReadOnlyAdmin
from jaklitera.errors import ApplicationError

from .group_forms import GroupCheckinForm, GroupMoveForm, GroupRejectForm
from .group_pdf import group_confirmation_response
from .models import GroupLetterAccess, GroupVisit, GroupVisitEvent
from .services import groups as services


class GroupStatusFilter(DefaultStatusFilter):
    """Pending by default: the list is the work to do."""

    status_choices = GroupVisit.Status
    default = GroupVisit.Status.PENDING


@admin.register(GroupVisit)
class GroupVisitAdmin(admin.ModelAdmin):
    list_display = ["institution_name", "session", "participants", "status", "decide_by", "requester_email"]
    list_filter = [GroupStatusFilter, "institution_type", "session__date"]
    search_fields = ["institution_name", "contact_name", "code", "requester__email"]
    list_select_related = ["session", "requester"]
    ordering = ["session__starts_at", "created_at"]
    change_list_template = "admin/visits/groupvisit/change_list.html"

    @admin.display(description=_("pemohon"), ordering="requester__email")
    def requester_email(self, obj):
        return obj.requester.email

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("check-in/", wrap(self.checkin_view), name="visits_groupvisit_checkin"),
            path("<int:object_id>/setujui/", wrap(require_POST(self.approve_view)), name="visits_groupvisit_approve"),
            path("<int:object_id>/tolak/", wrap(require_POST(self.reject_view)), name="visits_groupvisit_reject"),
            path("<int:object_id>/pindah/", wrap(require_POST(self.move_view)), name="visits_groupvisit_move"),
            path(
                "<int:object_id>/surat-konfirmasi.pdf",
                wrap(self.confirmation_view),
                name="visits_groupvisit_confirmation",
            ),
            *super().get_urls(),
        ]

    # --- the decision page (replaces the change form) ---

    def _require_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied

    def _require_decide(self, request):
        if not services.staff_can_decide(request.user):
            raise PermissionDenied

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._require_view(request)
        group_visit = get_object_or_404(
            GroupVisit.objects.select_related("session", "alternative_session", "requester"), pk=object_id
        )
        return self._decide_response(request, group_visit)

    def _decide_response(self, request, group_visit, *, reject_form=None, move_form=None, status=200):
        rooms = services.sessions_with_room(
            places=group_visit.places_held or group_visit.participants, exclude=[group_visit.session_id], limit=40
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Permohonan rombongan"),
            "group_visit": group_visit,
            "events": list(group_visit.events.select_related("from_session", "to_session")),
            "can_decide": services.staff_can_decide(request.user),
            "can_view_letter": services.staff_can_view_letter(request.user),
            "reject_form": reject_form or GroupRejectForm(),
            "move_form": move_form
            or GroupMoveForm(sessions=rooms, initial={"session": group_visit.alternative_session_id}),
            "alternative_has_room": any(s.pk == group_visit.alternative_session_id for s in rooms),
        }
        return TemplateResponse(request, "admin/visits/groupvisit/decide.html", context, status=status)

    def _done(self, request, object_id, message):
        self.message_user(request, message, messages.SUCCESS)
        return redirect("admin:visits_groupvisit_change", object_id)

    def _refused(self, request, object_id, error):
        self.message_user(request, str(error), messages.ERROR)
        return redirect("admin:visits_groupvisit_change", object_id)

    def approve_view(self, request, object_id):
        self._require_decide(request)
        try:
            group_visit = services.group_visit_approve(group_visit_id=object_id, staff=request.user)
        except ApplicationError as error:
            return self._refused(request, object_id, error)
        return self._done(
            request,
            object_id,
            _("Disetujui. Kode rombongan %(code)s; email dan surat konfirmasi dikirim.")
            % {"code": group_visit.code_display},
        )

    def reject_view(self, request, object_id):
        self._require_decide(request)
        group_visit = get_object_or_404(GroupVisit, pk=object_id)
        form = GroupRejectForm(request.POST)
        if not form.is_valid():
            return self._decide_response(request, group_visit, reject_form=form, status=400)
        try:
            services.group_visit_reject(
                group_visit_id=object_id, staff=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            return self._refused(request, object_id, error)
        return self._done(request, object_id, _("Ditolak. Tempat dilepas; pemohon menerima email berisi alasannya."))

    def move_view(self, request, object_id):
        self._require_decide(request)
        try:
            session_id = int(request.POST.get("session", ""))
        except ValueError:
            return self._refused(request, object_id, _("Pilih sesi tujuan."))
        try:
            services.group_visit_move(group_visit_id=object_id, staff=request.user, new_session_id=session_id)
        except ApplicationError as error:
            return self._refused(request, object_id, error)
        return self._done(request, object_id, _("Rombongan dipindah; pemohon menerima email."))

    def confirmation_view(self, request, object_id):
        self._require_view(request)
        group_visit = get_object_or_404(GroupVisit.objects.select_related("session"), pk=object_id)
        if not group_visit.code:
            return self._refused(request, object_id, _("Surat konfirmasi ada setelah permohonan disetujui."))
        return group_confirmation_response(group_visit=group_visit)

    # --- check-in by group code (the desk's scanner takes group codes too) ---

    def checkin_view(self, request):
        self._require_decide(request)
        form = GroupCheckinForm(request.POST or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                group_visit = services.group_checkin(
                    request_code=form.cleaned_data["code"], present=form.cleaned_data["present"], staff=request.user
                )
            except ApplicationError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                self.message_user(
                    request,
                    _("Rombongan %(name)s check-in: %(n)d orang.")
                    % {"name": group_visit.institution_name, "n": group_visit.present},
                    messages.SUCCESS,
                )
                return redirect("admin:visits_groupvisit_checkin")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Check-in rombongan"),
            "form": form,
        }
        return TemplateResponse(request, "admin/visits/groupvisit/checkin.html", context, status=status)


@admin.register(GroupVisitEvent)
class GroupVisitEventAdmin(ReadOnlyAdmin):
    """The immutable record of decisions and changes: read only."""

    list_display = ["at", "action", "group_visit", "actor_email", "places", "note"]
    list_filter = ["action"]
    search_fields = ["group_visit__institution_name", "actor_email"]
    list_select_related = ["group_visit"]


@admin.register(GroupLetterAccess)
class GroupLetterAccessAdmin(ReadOnlyAdmin):
    list_display = ["accessed_at", "viewer_email", "institution_name"]
    search_fields = ["viewer_email", "institution_name"]
    readonly_fields = ["group_visit", "institution_name", "viewer", "viewer_email", "accessed_at"]
