from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from . import views

handler403 = "jaklitera.views.permission_denied"
handler404 = "jaklitera.views.page_not_found"
handler500 = "jaklitera.views.server_error"

admin.site.site_header = "Jaklitera · Perpustakaan Jakarta"
admin.site.site_title = "Jaklitera"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("bahasa/", set_language, name="set_language"),
    path("", include("members.urls")),
    path("", include("visits.urls")),
    path("admin/", admin.site.urls),
]
