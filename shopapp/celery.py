"""The Celery app. Workers: `celery -A shopapp worker`; beat: `celery -A shopapp beat`. Without a
broker (the embedded default), the local worker of integrations/orders/local_worker.py instead."""

import os

from celery import Celery
from celery.signals import before_task_publish, setup_logging

from integrations.orders import local_worker

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


@before_task_publish.connect
def _start_the_local_worker(**_kwargs) -> None:
    """The embedded default: a process that queues a task gets its local worker to run it (a
    management command, a shell); the web process starts its own at start-up (wsgi.py)."""
    local_worker.start(app)
