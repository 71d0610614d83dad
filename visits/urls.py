from django.urls import path, re_path

from . import views

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
]
