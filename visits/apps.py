from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Kunjungan")

    def ready(self):
        from . import emails, group_emails  # noqa: F401  (registers the email builders; Rombongan's too)
