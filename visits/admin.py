"""Staff tools in Django admin. Every change of places goes through visits.services:
capacity (never below taken), closing a session, closure dates, cancelling a reservation."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jaklitera.admin_filters import ReadOnlyAdmin
from jaklitera.errors import ApplicationError

from . import services
from .models import (
    Closure,
    DeskEvent,
    Reservation,
    ReservationChild,
    Session,
    SessionSlot,
    VisitNotice,
    WeekdaySchedule,
)


class SessionSlotInline(admin.TabularInline):
    model = SessionSlot
    extra = 0
    fields = ["starts_at", "ends_at", "last_checkin_at", "capacity"]


@admin.register(WeekdaySchedule)
class WeekdayScheduleAdmin(admin.ModelAdmin):
    list_display = ["weekday", "is_open", "opens_at", "closes_at", "slot_summary"]
    inlines = [SessionSlotInline]
    ordering = ["weekday"]

    @admin.display(description=_("sesi"))
    def slot_summary(self, obj):
        return ", ".join(f"{s.starts_at:%H.%M}–{s.ends_at:%H.%M} ({s.capacity})" for s in obj.slots.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("slots")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The window follows the new schedule at once; booked sessions are kept.
        result = services.sessions_generate()
        if result.kept:
            self.message_user(
                request,
                ngettext(
                    "%(n)d sesi yang sudah dipesan tetap dipertahankan.",
                    "%(n)d sesi yang sudah dipesan tetap dipertahankan.",
                    result.kept,
                )
                % {"n": result.kept},
                messages.WARNING,
            )


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "reason"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        cancelled = services.closure_save(closure=obj)
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "%(n)d reservasi dibatalkan dan pengunjungnya diberi tahu lewat email.",
                    "%(n)d reservasi dibatalkan dan pengunjungnya diberi tahu lewat email.",
                    cancelled,
                )
                % {"n": cancelled},
                messages.WARNING,
            )


@admin.register(VisitNotice)
class VisitNoticeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at"]

    def has_add_permission(self, request):
        return not VisitNotice.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["capacity"]

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk and capacity < self.instance.booked:
            raise forms.ValidationError(
                _("Kapasitas tidak boleh kurang dari %(n)d tempat yang sudah terisi.") % {"n": self.instance.booked}
            )
        return capacity


class CloseSessionForm(admin.helpers.ActionForm):
    reason = forms.CharField(label=_("Alasan ditutup"), required=False, max_length=200)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    form = SessionAdminForm
    action_form = CloseSessionForm
    list_display = ["__str__", "capacity", "booked", "places_left", "status"]
    list_filter = ["status", "date"]
    date_hierarchy = "date"
    readonly_fields = ["date", "starts_at", "ends_at", "last_checkin_at", "booked", "status", "closed_reason"]
    fields = ["date", "starts_at", "ends_at", "last_checkin_at", "capacity", "booked", "status", "closed_reason"]
    actions = ["close_sessions"]

    @admin.display(description=_("sisa tempat"))
    def places_left(self, obj):
        return obj.places_left

    def has_add_permission(self, request):
        return False  # sessions come from the schedule (visits_generate_sessions)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: one conditional UPDATE, never below the places taken.
        try:
            services.session_capacity_change(session_id=obj.pk, capacity=form.cleaned_data["capacity"])
        except ApplicationError as error:
            self.message_user(request, str(error), messages.ERROR)

    @admin.action(description=_("Tutup sesi terpilih (reservasi dibatalkan, pengunjung diberi tahu)"))
    def close_sessions(self, request, queryset):
        reason = request.POST.get("reason") or _("Sesi ditutup oleh perpustakaan.")
        cancelled = 0
        for session_id in queryset.values_list("pk", flat=True):
            try:
                cancelled += services.session_close(session_id=session_id, reason=reason)
            except ApplicationError as error:
                self.message_user(request, str(error), messages.ERROR)
        self.message_user(
            request,
            _("Sesi ditutup. %(n)d reservasi dibatalkan; email dikirim ke pengunjung.") % {"n": cancelled},
            messages.SUCCESS,
        )


class ReservationChildInline(admin.TabularInline):
    model = ReservationChild
    extra = 0
    can_delete = False
    readonly_fields = ["name", "age"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = ["code_display", "session", "user", "category", "party_size", "status", "created_at"]
    list_filter = ["status", "category", "session__date"]
    search_fields = ["code", "user__email"]
    list_select_related = ["session", "user"]
    inlines = [ReservationChildInline]
    actions = ["cancel_reservations"]
    readonly_fields = [
        "code",
        "session",
        "user",
        "category",
        "party_size",
        "status",
        "cancel_reason",
        "rescheduled_from",
        "created_at",
        "cancelled_at",
        "reminder_sent_at",
    ]

    @admin.display(description=_("kode reservasi"), ordering="code")
    def code_display(self, obj):
        return obj.code_display

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Batalkan reservasi terpilih (tempat dikembalikan, pengunjung diberi tahu)"))
    def cancel_reservations(self, request, queryset):
        done = 0
        for reservation_id in queryset.filter(status=Reservation.Status.ACTIVE).values_list("pk", flat=True):
            try:
                services.reservation_cancel(reservation_id=reservation_id, reason=Reservation.CancelReason.STAFF)
                done += 1
            except ApplicationError as error:
                self.message_user(request, str(error), messages.ERROR)
        self.message_user(request, _("%(n)d reservasi dibatalkan.") % {"n": done}, messages.SUCCESS)


@admin.register(DeskEvent)
class DeskEventAdmin(ReadOnlyAdmin):
    """The desk's log (check-ins, overrides, undos, walk-ins, lifted blocks): read only."""

    list_display = ["created_at", "action", "staff", "reservation", "group_visit", "note"]
    list_filter = ["action"]
    search_fields = ["reservation__code", "group_visit__code", "staff__email", "note"]
    list_select_related = ["staff", "reservation", "group_visit"]
    date_hierarchy = "created_at"


from . import group_admin  # noqa: E402, F401  (Rombongan: registers its admin pages)
