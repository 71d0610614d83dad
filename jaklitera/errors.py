"""The one hierarchy of domain errors. Each app subclasses these with its own
translatable messages; views show ``str(error)`` to the person."""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A rule was broken; ``message`` is safe to show to the user."""

    default_message = _("Terjadi kesalahan. Silakan coba lagi.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class Busy(ApplicationError):
    default_message = _("Sistem sedang sibuk. Silakan coba lagi sebentar lagi.")


class InvalidTransition(ApplicationError):
    default_message = _("Tindakan ini tidak dapat dilakukan pada status saat ini.")


class RateLimited(ApplicationError):
    default_message = _("Terlalu banyak permintaan. Silakan coba lagi nanti.")
