"""Starting another component's task by its name, after the current transaction commits.

The token lifecycle pauses and resumes the push (``orders.*`` tasks) without importing the push
domain. ``send_task`` always goes through the broker, so in the embedded default (no broker, tasks
run in-process) the registered task is applied in-process instead.
"""

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def send_task_by_name(name: str, **kwargs: Any) -> None:
    from shopapp.celery import app

    if app.conf.task_always_eager:
        task = app.tasks.get(name)
        if task is None:
            logger.warning("enqueue.unknown_task", extra={"task": name})
            return
        task.apply(kwargs=kwargs)
        return
    app.send_task(name, kwargs=kwargs)


def send_task_on_commit(name: str, **kwargs: Any) -> None:
    transaction.on_commit(lambda: send_task_by_name(name, **kwargs))
