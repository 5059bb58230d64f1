"""The Celery app. Workers: `celery -A shopapp worker`; beat: `celery -A shopapp beat`."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopapp.settings")

app = Celery("shopapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_as_the_app_does(**_kwargs) -> None:
    """Workers and beat log through Django's LOGGING (JSON lines with their fields, secrets
    scrubbed) instead of Celery replacing the root logger with its plain-text format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
