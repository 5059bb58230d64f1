"""The pulls a merchant asks for (Add connection, Fetch): each a ``PullRun`` recording its progress
and result for the connection page. ``run_pull`` is what the ``orders.pull_connection`` task runs;
the pull itself (pages, cursor, BackerKit's errors) is ``services/pull.py``.

Every way a pull can end is recorded on its run: a typed BackerKit error as a problem code (the
pages word it), anything unexpected with an error id that finds the traceback in the log.
"""

import logging
import uuid
from collections.abc import Callable

from django.db import DatabaseError
from django.db.models import F
from django.utils import timezone
from redis.exceptions import RedisError

from integrations.backerkit.errors import (
    BackerKitError,
    BackerKitNotFound,
    BackerKitThrottled,
    BackerKitTransient,
    BackerKitUnauthorized,
)
from integrations.orders.models import BackerKitConnection, ImportRun, PullRun
from integrations.orders.services import pull

logger = logging.getLogger(__name__)

Problem = PullRun.Problem


def backerkit_problem(exc: BackerKitError) -> str:
    """A BackerKit error as the problem code the pages word (shopapp/pages/wording.py)."""
    if isinstance(exc, BackerKitUnauthorized):
        return Problem.KEY_REFUSED
    if isinstance(exc, BackerKitNotFound):
        return Problem.PROJECT_NOT_FOUND
    if isinstance(exc, BackerKitThrottled | BackerKitTransient):
        return Problem.BACKERKIT_UNAVAILABLE
    return Problem.BACKERKIT_REFUSED


def usable(connection: BackerKitConnection) -> bool:
    return connection.kind == BackerKitConnection.Kind.API and connection.status == BackerKitConnection.Status.ACTIVE


def run_pull(*, pull_run_id: int, on_page: Callable[[ImportRun], None] | None = None) -> PullRun:
    """Run the merchant's pull and record how it ended. A pull BackerKit asked to slow down, or that
    found BackerKit down, stays running: ``run.retry_in`` says when the task asks again (the pull
    resumes from its cursor)."""
    run = PullRun.objects.select_related("connection").get(id=pull_run_id)
    if not run.active:
        return run  # a redelivered message of a pull already over
    if not usable(run.connection):
        return _finish(run, state=PullRun.State.FAILED, problem=Problem.CONNECTION_STOPPED)
    run.state, run.started_at = PullRun.State.RUNNING, run.started_at or timezone.now()
    run.save(update_fields=["state", "started_at", "updated_at"])
    try:
        result = pull.pull(
            connection_id=run.connection_id, start_push=run.start_push, on_page=lambda page: _count(run, page, on_page)
        )
    except (DatabaseError, RedisError):
        raise  # the task's policy retries these (task_policy.py); the run stays running meanwhile
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        logger.exception("pull_run.crashed", extra={"pull_run_id": run.id, "error_id": error_id})
        return _finish(run, state=PullRun.State.FAILED, problem=Problem.UNEXPECTED, error_id=error_id)
    if result.exception is not None and result.retry_in is not None:
        run.retry_in = result.retry_in  # BackerKit throttled us or did not answer: not over yet
        return run
    if result.exception is not None:
        logger.warning(
            "pull_run.refused", extra={"pull_run_id": run.id, "connection_id": run.connection_id,
                                       "error": type(result.exception).__name__, "status": result.exception.status},
        )  # fmt: skip
        return _finish(run, state=PullRun.State.FAILED, problem=backerkit_problem(result.exception))
    run.connection.refresh_from_db(fields=["status", "kind"])
    if not usable(run.connection):  # stopped while pulling (a currency mismatch, a refused key)
        return _finish(run, state=PullRun.State.FAILED, problem=Problem.CONNECTION_STOPPED)
    return _finish(run, state=PullRun.State.FINISHED)


def _count(run: PullRun, page: ImportRun, also: Callable[[ImportRun], None] | None = None) -> None:
    """One page taken in: counted in the database at once, so the page polling it sees it (and
    ``also`` told: a command's progress bar)."""
    PullRun.objects.filter(id=run.id).update(
        pages=F("pages") + 1,
        received=F("received") + page.received,
        accepted=F("accepted") + page.accepted,
        refused=F("refused") + page.refused,
        updated_at=timezone.now(),
    )
    if also is not None:
        also(page)


def _finish(run: PullRun, *, state: str, problem: str = "", error_id: str = "") -> PullRun:
    run.refresh_from_db(fields=["pages", "received", "accepted", "refused"])
    run.state, run.problem, run.error_id, run.finished_at = state, problem, error_id, timezone.now()
    run.save(update_fields=["state", "problem", "error_id", "finished_at", "updated_at"])
    logger.info(
        "pull_run.finished",
        extra={"pull_run_id": run.id, "connection_id": run.connection_id, "state": state, "problem": problem,
               "pages": run.pages, "accepted": run.accepted},
    )  # fmt: skip
    return run
