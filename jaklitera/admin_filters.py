"""Shared Django admin pieces: a status filter that opens on the work to do, and a read-only admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class DefaultStatusFilter(admin.SimpleListFilter):
    """A status filter that opens on the status that is the work to do (a queue), with "Semua".

    Subclasses set ``status_choices`` (a TextChoices class) and ``default``.
    """

    title = _("status")
    parameter_name = "status"
    ALL = "all"
    status_choices = None
    default = None

    def lookups(self, request, model_admin):
        return [*self.status_choices.choices, (self.ALL, _("Semua"))]

    def _current(self):
        return self.value() or self.default

    def queryset(self, request, queryset):
        if self._current() == self.ALL:
            return queryset
        return queryset.filter(status=self._current())

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self._current() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log or record staff may read but never add to, change or delete (desk log, decisions,
    document and letter views)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
