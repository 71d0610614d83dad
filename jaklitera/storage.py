"""Private storage for personal documents (KTP, letters, photos).

Files live under ``PRIVATE_MEDIA_ROOT``, outside every static or media URL:
``url()`` refuses, so a template cannot leak a public link by accident. They
are served only by views that check who is asking (members.views.documents).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    # Only the app's own user may read what is on disk.
    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a checked view.")


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    return private_storage
