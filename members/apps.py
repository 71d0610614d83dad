from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Anggota")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from . import emails  # noqa: F401  (registers the email builders)
        from .auth import user_changed

        # The cached user row of signed-in requests (members.auth) is dropped on every write.
        post_save.connect(user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="members-auth-user-saved")
        post_delete.connect(user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="members-auth-user-deleted")
