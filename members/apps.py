from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Anggota")

    def ready(self):
        from . import emails  # noqa: F401  (registers the email builders)
