from django.contrib import admin
from django.urls import include, path

from . import views

handler403 = "jaklitera.views.permission_denied"
handler404 = "jaklitera.views.page_not_found"
handler500 = "jaklitera.views.server_error"

admin.site.site_header = "Jaklitera · Perpustakaan Jakarta"
admin.site.site_title = "Jaklitera"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("bahasa/", views.language_set, name="set_language"),
    path("", include("members.urls")),
    path("", include("visits.urls")),
    path("admin/", admin.site.urls),
]
