from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JakliteraConfig(AppConfig):
    """The project package doubles as a small app: the email outbox lives here."""

    name = "jaklitera"
    verbose_name = _("Jaklitera")
