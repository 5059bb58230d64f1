"""The pull task, and asking for a pull: what the services call to get a pull moving.

Like ``lane_tasks.py``, it sits between what the task runs (``services/pull_runs.py``, which knows
nothing of Celery) and the service that queues pulls (``services/connections.py``), so none of them
imports the task module that imports them.
"""

import logging

from celery import shared_task
from django.db import transaction

from integrations.orders.services import pull, pull_runs
from integrations.orders.task_policy import RETRY_TRANSIENT

logger = logging.getLogger(__name__)


@shared_task(name="orders.pull_connection", ignore_result=True, **RETRY_TRANSIENT)
def pull_connection(connection_id: int, pull_run_id: int | None = None) -> None:
    """A pull a merchant asked for carries its run (progress on the page); the scheduled pulls
    (``orders.pull_all_connections``) carry none, and read BackerKit's change feed too. A pull
    BackerKit throttled, or that found it down, comes back by itself when it is due (``Retry-After``,
    or the backoff): it resumes from its cursor."""
    if pull_run_id is None:
        retry_in = pull.pull(connection_id=connection_id, changes=True).retry_in
    else:
        retry_in = pull_runs.run_pull(pull_run_id=pull_run_id).retry_in
    if retry_in is not None:
        pull_connection.apply_async((connection_id, pull_run_id), countdown=retry_in)


def enqueue_pull(*, connection_id: int, pull_run_id: int) -> None:
    """Queue the pull once the current transaction commits (the run it reads is committed then)."""
    transaction.on_commit(lambda: pull_connection.delay(connection_id, pull_run_id))
