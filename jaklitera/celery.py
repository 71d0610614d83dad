"""The Celery app. Tasks live in <app>/tasks.py and are found by autodiscovery."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaklitera.settings.local")

app = Celery("jaklitera")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
