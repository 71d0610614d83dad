"""The librarians' review queue, in Django admin.

The list is the queue (waiting submissions, oldest first); "Tinjau berikutnya" claims the
next free one; the change page is replaced by the review page with approve / reject.
Views stay thin: every rule is in verification/services.py.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jaklitera.admin_filters import DefaultStatusFilter, ReadOnlyAdmin
from jaklitera.errors import ApplicationError
from members.models import Member
from members.validators import phone_normalize

from . import services
from .forms import RejectForm
from .models import Decision, Submission
from .selectors import queue_queryset, submission_review

SKIPPED_SESSION_KEY = "verification_skipped"


class StatusFilter(DefaultStatusFilter):
    """Waiting by default: the list is the queue."""

    status_choices = Submission.Status
    default = Submission.Status.WAITING


class OriginFilter(admin.SimpleListFilter):
    title = _("asal KTP")
    parameter_name = "asal"

    def lookups(self, request, model_admin):
        return [("dki", _("DKI Jakarta")), ("non-dki", _("Luar DKI Jakarta"))]

    def queryset(self, request, queryset):
        if self.value() == "dki":
            return queryset.filter(member__ktp_origin=Member.KtpOrigin.DKI)
        if self.value() == "non-dki":
            return queryset.filter(member__ktp_origin=Member.KtpOrigin.NON_DKI)
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    title = _("lama menunggu")
    parameter_name = "menunggu"
    RANGES = {"lt1": (None, 1), "1-3": (1, 3), "gt3": (3, None)}

    def lookups(self, request, model_admin):
        return [("lt1", _("Kurang dari 1 hari")), ("1-3", _("1–3 hari")), ("gt3", _("Lebih dari 3 hari"))]

    def queryset(self, request, queryset):
        if self.value() not in self.RANGES:
            return queryset
        low, high = self.RANGES[self.value()]
        now = timezone.now()
        if low is not None:
            queryset = queryset.filter(submitted_at__lte=now - timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(submitted_at__gt=now - timedelta(days=high))
        return queryset


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["name", "origin", "kind", "submitted_at", "waiting", "hints", "claim"]
    list_display_links = ["name"]
    list_filter = [StatusFilter, OriginFilter, WaitingFilter, "is_resubmission"]
    search_fields = ["member__full_name", "member__nik", "member__user__email", "member__user__phone"]
    ordering = ["submitted_at", "pk"]
    list_per_page = 50
    actions = ["approve_dki"]
    change_list_template = "admin/verification/submission/change_list.html"

    # --- the list ---

    def get_queryset(self, request):
        return queue_queryset()

    def changelist_view(self, request, extra_context=None):
        title = capfirst(Submission._meta.verbose_name_plural)
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_search_results(self, request, queryset, search_term):
        # Phones are stored as +62…; librarians type 0812…: search both.
        try:
            phone = phone_normalize(search_term)
        except ValidationError:
            phone = None
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if phone:
            queryset |= self.get_queryset(request).filter(member__user__phone=phone)
        return queryset, may_have_duplicates

    @admin.display(description=_("nama"), ordering="member__full_name")
    def name(self, obj):
        if obj.member is None:
            return obj.snapshot.get("full_name") or "—"
        return format_html("{}<br><small>{}</small>", obj.member.full_name, obj.member.user.email)

    @admin.display(description=_("asal KTP"))
    def origin(self, obj):
        origin = obj.member.ktp_origin if obj.member else obj.snapshot.get("ktp_origin")
        return _("DKI") if origin == Member.KtpOrigin.DKI else _("Luar DKI")

    @admin.display(description=_("jenis"))
    def kind(self, obj):
        return _("Pengajuan ulang") if obj.is_resubmission else _("Baru")

    @admin.display(description=_("lama menunggu"), ordering="submitted_at")
    def waiting(self, obj):
        if obj.status != Submission.Status.WAITING:
            return "—"
        return timesince(obj.submitted_at, depth=2)

    @admin.display(description=_("petunjuk"))
    def hints(self, obj):
        hints = []
        if obj.has_same_nik:
            hints.append(str(_("NIK ganda")))
        if obj.has_same_phone:
            hints.append(str(_("Ponsel ganda")))
        return ", ".join(hints) or "—"

    @admin.display(description=_("sedang ditinjau"))
    def claim(self, obj):
        if obj.claimed_by and obj.claimed_until and obj.claimed_until > timezone.now():
            return f"{obj.claimed_by.email} ({timezone.localtime(obj.claimed_until):%H.%M} WIB)"
        return "—"

    # --- permissions: nothing is added or deleted here; deciding needs its own permission ---

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return services.reviewer_can_decide(request.user)

    # --- bulk approval: DKI only ---

    @admin.action(description=_("Setujui pengajuan terpilih (hanya KTP DKI Jakarta)"), permissions=["decide"])
    def approve_dki(self, request, queryset):
        try:
            result = services.submissions_approve_dki(
                submission_ids=list(queryset.values_list("pk", flat=True)), reviewer=request.user
            )
        except ApplicationError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        if result.approved:
            self.message_user(request, _("%(n)d pengajuan disetujui.") % {"n": len(result.approved)}, messages.SUCCESS)
        for _submission_id, message in result.refused:
            self.message_user(request, message, messages.WARNING)

    # --- the review page and its actions ---

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("berikutnya/", wrap(self.next_view), name="verification_submission_next"),
            path("<int:object_id>/setujui/", wrap(self.approve_view), name="verification_submission_approve"),
            path("<int:object_id>/tolak/", wrap(self.reject_view), name="verification_submission_reject"),
            path("<int:object_id>/lewati/", wrap(self.skip_view), name="verification_submission_skip"),
            *super().get_urls(),
        ]

    def _require_review(self, request):
        if not services.reviewer_can_review(request.user):
            raise PermissionDenied

    def next_view(self, request):
        self._require_review(request)
        skipped = tuple(request.session.get(SKIPPED_SESSION_KEY, []))
        submission = services.submission_claim_next(reviewer=request.user, skipped=skipped)
        if submission is None:
            self.message_user(request, _("Antrean kosong: tidak ada pengajuan yang menunggu."), messages.INFO)
            return redirect("admin:verification_submission_changelist")
        return redirect("admin:verification_submission_change", submission.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._require_review(request)
        submission = get_object_or_404(Submission, pk=object_id)
        if request.method == "GET" and submission.status == Submission.Status.WAITING:
            services.submission_claim(submission_id=submission.pk, reviewer=request.user)
            submission.refresh_from_db()
        return self._review_response(request, submission, RejectForm())

    def _review_response(self, request, submission, reject_form, *, status=200):
        context = {
            **self.admin_site.each_context(request),
            **submission_review(submission=submission),
            "opts": self.model._meta,
            "title": _("Tinjau pengajuan"),
            "reject_form": reject_form,
            "can_decide": services.reviewer_can_decide(request.user),
            "is_waiting": submission.status == Submission.Status.WAITING,
            "claimed_by_me": submission.claimed_by_id == request.user.pk,
        }
        return TemplateResponse(request, "admin/verification/submission/review.html", context, status=status)

    def approve_view(self, request, object_id):
        return require_POST(self._approve)(request, object_id)

    def _approve(self, request, object_id):
        self._require_review(request)
        try:
            decision = services.submission_approve(submission_id=object_id, reviewer=request.user)
        except services.NotAllowed as error:
            raise PermissionDenied from error
        except ApplicationError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:verification_submission_change", object_id)
        self.message_user(
            request,
            _("Disetujui: anggota TERVERIFIKASI dengan nomor %(number)s. Email dikirim.")
            % {"number": decision.member_number},
            messages.SUCCESS,
        )
        return redirect("admin:verification_submission_next")

    def reject_view(self, request, object_id):
        return require_POST(self._reject)(request, object_id)

    def _reject(self, request, object_id):
        self._require_review(request)
        submission = get_object_or_404(Submission, pk=object_id)
        form = RejectForm(request.POST)
        form.is_valid()  # parsing only; the service checks the rules
        try:
            services.submission_reject(
                submission_id=submission.pk,
                reviewer=request.user,
                reasons=form.cleaned_data.get("reasons") or [],
                note=form.cleaned_data.get("note") or request.POST.get("note", ""),
            )
        except services.NotAllowed as error:
            raise PermissionDenied from error
        except services.ReasonRequired as error:
            for field, message in error.errors.items():
                form.add_error(field, message)
            return self._review_response(request, submission, form, status=400)
        except ApplicationError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:verification_submission_change", object_id)
        self.message_user(request, _("Ditolak. Anggota menerima email berisi alasannya."), messages.SUCCESS)
        return redirect("admin:verification_submission_next")

    def skip_view(self, request, object_id):
        return require_POST(self._skip)(request, object_id)

    def _skip(self, request, object_id):
        self._require_review(request)
        services.submission_release(submission_id=object_id, reviewer=request.user)
        # Remember it for this librarian's "next", so the queue moves on (see submission_claim_next).
        skipped = [pk for pk in request.session.get(SKIPPED_SESSION_KEY, []) if pk != int(object_id)]
        request.session[SKIPPED_SESSION_KEY] = [*skipped, int(object_id)][-50:]
        return redirect(reverse("admin:verification_submission_changelist"))


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    """The immutable decision record: read only, for everyone."""

    list_display = ["decided_at", "outcome", "member_name", "reviewer_email", "member_number", "reasons_display"]
    list_filter = ["outcome"]
    search_fields = ["reviewer_email", "member_number", "submission__member__full_name", "submission__member__nik"]
    list_select_related = ["submission__member"]
    readonly_fields = [
        "submission",
        "outcome",
        "reviewer",
        "reviewer_email",
        "decided_at",
        "reasons",
        "note",
        "member_number",
    ]

    @admin.display(description=_("anggota"))
    def member_name(self, obj):
        member = obj.submission.member
        return member.full_name if member else obj.submission.snapshot.get("full_name") or "—"

    @admin.display(description=_("alasan"))
    def reasons_display(self, obj):
        return ", ".join(str(label) for label in obj.reason_labels) or "—"
