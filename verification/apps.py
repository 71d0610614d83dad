from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Verifikasi")

    def ready(self):
        from . import emails  # noqa: F401  (registers the email builders)
