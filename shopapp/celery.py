"""The Celery app. Workers: `celery -A shopapp worker`; beat: `celery -A shopapp beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopapp.settings")

app = Celery("shopapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
