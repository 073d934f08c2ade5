"""The portal's Celery app (official Django layout: settings under the CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontum_poverty.settings")

app = Celery("kontum_poverty")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
