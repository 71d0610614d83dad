from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from jaklitera.admin_filters import ReadOnlyAdmin

from .models import DocumentAccess, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "phone", "is_active", "email_confirmed_at", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password", "phone", "language"]}),
        (_("Status"), {"fields": ["is_active", "email_confirmed_at", "date_joined", "last_login"]}),
        (_("Izin"), {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "phone", "password1", "password2"]})]
    readonly_fields = ["date_joined", "last_login", "email_confirmed_at"]


@admin.register(DocumentAccess)
class DocumentAccessAdmin(ReadOnlyAdmin):
    list_display = ["accessed_at", "viewer", "member", "document_kind"]
    list_filter = ["document_kind"]
    search_fields = ["viewer__email", "member__user__email"]
    list_select_related = ["viewer", "member__user"]
