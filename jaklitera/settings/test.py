"""Test settings: the suite runs on SQLite by default, on PostgreSQL + Redis in CI."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import PAGES_CACHE, env

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests get their own cache so a developer's Redis is not touched; the Redis
# tests use REDIS_URL directly.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "pages": PAGES_CACHE}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
PRIVATE_MEDIA_ROOT = Path(env("TEST_PRIVATE_MEDIA_ROOT", default=tempfile.mkdtemp(prefix="jaklitera-private-")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
