"""Laptop default: ``make run``. SQLite, eager Celery, emails printed to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"  # noqa: F405

# The SQLite file and private uploads live under var/ (git-ignored).
VAR_DIR.mkdir(exist_ok=True)  # noqa: F405
