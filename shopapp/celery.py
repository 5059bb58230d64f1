"""The Celery app. Workers: `celery -A shopapp worker`; beat: `celery -A shopapp beat`. Without a
broker (the embedded default), the local worker of integrations/orders/local_worker.py instead."""

import os

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun, worker_init
from django.db import close_old_connections

from integrations.orders import local_worker
from integrations.orders.mapping import load_zones

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


@worker_init.connect
def _load_reference_data(**_kwargs) -> None:
    """What every push needs, loaded before the worker takes its first task, not inside it."""
    load_zones()


@before_task_publish.connect
def _start_the_local_worker(**_kwargs) -> None:
    """The embedded default: a process that queues a task gets its local worker to run it (a
    management command, a shell); the web process starts its own at start-up (wsgi.py)."""
    local_worker.start(app)


@task_prerun.connect
@task_postrun.connect
def _replace_old_connections(sender=None, **_kwargs) -> None:
    """A worker thread keeps its database connection from task to task, as Django keeps a web
    thread's from request to request: before and after each task, a connection older than
    CONN_MAX_AGE, or broken (an error, and it no longer answers), is closed and the next query opens
    a new one; CONN_HEALTH_CHECKS checks a kept one before its first query of the task, so a
    connection PostgreSQL dropped (a restart) is replaced, not used. Celery's Django fixup would
    close every connection around every task instead (settings.CELERY_DB_REUSE_MAX): a new
    connection per lane run. Eager tasks run inside their caller's transaction: left alone."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()
