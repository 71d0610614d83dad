from django.urls import path, re_path

from . import group_views, views

app_name = "visits"

urlpatterns = [
    path("jadwal/", views.AvailabilityView.as_view(), name="availability"),
    path("jadwal/sesi/<int:session_id>/pesan/", views.ReservationCreateView.as_view(), name="reservation_create"),
    path("kunjungan-saya/", views.MyVisitsView.as_view(), name="my_visits"),
    path("kunjungan-saya/<str:code>/", views.ReservationDetailView.as_view(), name="reservation_detail"),
    re_path(
        r"^kunjungan-saya/(?P<code>[^/]+)/qr\.(?P<fmt>png|svg)$",
        views.ReservationQrView.as_view(),
        name="reservation_qr",
    ),
    path("kunjungan-saya/<str:code>/batalkan/", views.ReservationCancelView.as_view(), name="reservation_cancel"),
    path(
        "kunjungan-saya/<str:code>/ubah-jadwal/",
        views.ReservationRescheduleView.as_view(),
        name="reservation_reschedule",
    ),
    path("api/v1/sessions/", views.sessions_api, name="sessions_api"),
    # Rombongan (group visits): docs/operations.md#rombongan
    path("rombongan/", group_views.GroupVisitListView.as_view(), name="group_list"),
    path("rombongan/ajukan/", group_views.GroupVisitCreateView.as_view(), name="group_create"),
    path("rombongan/<int:group_visit_id>/", group_views.GroupVisitDetailView.as_view(), name="group_detail"),
    path("rombongan/<int:group_visit_id>/batalkan/", group_views.GroupVisitCancelView.as_view(), name="group_cancel"),
    path("rombongan/<int:group_visit_id>/qr.svg", group_views.GroupVisitQrView.as_view(), name="group_qr"),
    path(
        "rombongan/<int:group_visit_id>/surat-konfirmasi.pdf",
        group_views.GroupVisitConfirmationView.as_view(),
        name="group_confirmation",
    ),
    path("rombongan/<int:group_visit_id>/surat-permohonan/", group_views.group_letter_view, name="group_letter"),
]

# The desk (Daftar Kunjungan Hari Ini): docs/operations.md
from . import views_desk  # noqa: E402

urlpatterns += [
    path("petugas/kunjungan/", views_desk.DeskDayView.as_view(), name="desk"),
    path("petugas/kunjungan/check-in/", views_desk.CheckinView.as_view(), name="desk_checkin"),
    path("petugas/kunjungan/batal-check-in/", views_desk.CheckinUndoView.as_view(), name="desk_undo"),
    path("petugas/kunjungan/walk-in/", views_desk.WalkinView.as_view(), name="desk_walkin"),
    path("petugas/kunjungan/ekspor.csv", views_desk.ExportCsvView.as_view(), name="desk_csv"),
    path("petugas/kunjungan/cetak/", views_desk.PrintView.as_view(), name="desk_print"),
    path("petugas/kunjungan/<str:code>/foto/", views_desk.VisitorPhotoView.as_view(), name="desk_photo"),
    path("petugas/blokir/", views_desk.BlockListView.as_view(), name="desk_blocks"),
    path("petugas/blokir/<int:block_id>/cabut/", views_desk.BlockLiftView.as_view(), name="desk_block_lift"),
]
