"""A store's BackerKit connections: check a key, add, remove, and ask for a pull.

What goes wrong is a ``ConnectionProblem`` with a code (the pages word it: shopapp/pages/wording.py)
and the connection field it is about. Every call is scoped to one shop: a view passes
``request.shop.id`` and never a row it did not load through that shop.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.backerkit.client import BackerKitProject
from integrations.backerkit.errors import BackerKitError
from integrations.orders.lane_tasks import start_lanes
from integrations.orders.mapping import currency_mismatch
from integrations.orders.models import BackerKitConnection, ImportRun, PullRun, PushRecord
from integrations.orders.pull_tasks import enqueue_pull
from integrations.orders.services.pull import client_for, key_works_again
from integrations.orders.services.pull_runs import backerkit_problem, run_pull, usable
from integrations.shops.models import Shop

logger = logging.getLogger(__name__)

State = PushRecord.State
# A queued or running pull that has not moved for this long is taken as dead (its worker was
# killed): asking again starts a new one. A page of BackerKit orders takes seconds.
PULL_STALE_AFTER = timedelta(minutes=15)


class Problem:
    """Codes of ``ConnectionProblem`` beyond those a pull records (``PullRun.Problem``)."""

    CURRENCY_MISMATCH = "currency_mismatch"
    STORE_NAME_TAKEN = "store_name_taken"
    NO_API_KEY = "no_api_key"
    PULL_UNDER_WAY = "pull_under_way"


class ConnectionProblem(Exception):
    """``code``: a ``Problem`` or ``PullRun.Problem`` value; ``field``: the connection field it is
    about ("" for none); ``detail``: BackerKit's own words or the currency rule's sentence."""

    def __init__(self, code: str, *, field: str = "", detail: str = ""):
        super().__init__(code)
        self.code = code
        self.field = field
        self.detail = detail


FIELD_OF = {PullRun.Problem.KEY_REFUSED: "api_key", PullRun.Problem.PROJECT_NOT_FOUND: "project"}


def _problem_from(exc: BackerKitError) -> ConnectionProblem:
    code = backerkit_problem(exc)
    return ConnectionProblem(code, field=FIELD_OF.get(code, ""), detail=exc.message)


@dataclass(frozen=True)
class ConnectionCheck:
    project: BackerKitProject | None = None
    problem: ConnectionProblem | None = None
    resumed: bool = False  # the connection BackerKit had refused works again: fetching resumes

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_connection(*, shop_id: int, connection_id: int) -> ConnectionCheck:
    """ "Test connection": ask BackerKit for the project with the stored key (nothing is changed)."""
    connection = BackerKitConnection.objects.get(shop_id=shop_id, id=connection_id)
    if connection.kind != BackerKitConnection.Kind.API or not connection.api_key:
        return ConnectionCheck(problem=ConnectionProblem(Problem.NO_API_KEY))
    try:
        with client_for(connection) as client:
            project = client.project()
    except BackerKitError as exc:
        return ConnectionCheck(problem=_problem_from(exc))
    logger.info("connections.tested", extra={"shop_id": shop_id, "connection_id": connection_id})
    return ConnectionCheck(project=project, resumed=key_works_again(connection=connection))


def add_connection(
    *, shop: Shop, store_name: str, project: str, api_key: str, api_url: str = ""
) -> BackerKitConnection:
    """Check the key with BackerKit first, then save the connection (or re-activate a removed one
    of the same store name: its pushed orders keep their history). ``api_url``: where this project's
    BackerKit API is ("" for settings.BACKERKIT_API_URL; only a rep's command sets another)."""
    candidate = BackerKitConnection(
        shop=shop,
        store_name=store_name.strip(),
        project=project.strip(),
        api_key=api_key.strip(),
        api_url=api_url.strip().rstrip("/"),
        kind=BackerKitConnection.Kind.API,
    )
    try:
        with client_for(candidate) as client:
            found = client.project()
    except BackerKitError as exc:
        raise _problem_from(exc) from exc
    mismatch = currency_mismatch(campaign=found.currency, store=shop.currency)
    if mismatch:
        raise ConnectionProblem(Problem.CURRENCY_MISMATCH, field="project", detail=mismatch)
    existing = BackerKitConnection.objects.filter(shop=shop, store_name=candidate.store_name).first()
    if existing and existing.status == BackerKitConnection.Status.ACTIVE:
        raise ConnectionProblem(Problem.STORE_NAME_TAKEN, field="store_name")
    connection = existing or candidate
    connection.project, connection.api_key, connection.api_url = candidate.project, candidate.api_key, candidate.api_url
    connection.kind, connection.currency = BackerKitConnection.Kind.API, found.currency
    connection.status, connection.stopped_reason = BackerKitConnection.Status.ACTIVE, ""
    connection.pull_not_before, connection.pull_failures, connection.last_pull_error = None, 0, ""
    try:
        connection.save()
    except IntegrityError as exc:  # two tabs adding the same store name at once
        raise ConnectionProblem(Problem.STORE_NAME_TAKEN, field="store_name") from exc
    logger.info("connections.added", extra={"shop_id": shop.id, "connection_id": connection.id})
    return connection


def remove_connection(*, shop_id: int, connection_id: int) -> str:
    """Remove a connection. One that already pushed orders is stopped instead of deleted (its API
    key is erased; its orders keep their history); one that never pushed is deleted with its
    waiting orders. Returns "stopped" or "deleted"."""
    connection = BackerKitConnection.objects.get(shop_id=shop_id, id=connection_id)
    with transaction.atomic():
        if connection.push_records.filter(state=State.PUSHED).exists():
            connection.push_records.filter(state__in=[State.PENDING, State.PAUSED]).delete()
            connection.status = BackerKitConnection.Status.STOPPED
            connection.stopped_reason = "Removed by the store."
            connection.api_key = ""
            connection.save(update_fields=["status", "stopped_reason", "api_key"])
            outcome = "stopped"
        else:
            connection.delete()
            outcome = "deleted"
    logger.info("connections.removed", extra={"shop_id": shop_id, "connection_id": connection_id, "outcome": outcome})
    return outcome


def request_pull(*, shop_id: int, connection_id: int) -> PullRun:
    """Queue a pull of the project's locked orders, without pushing them (the merchant previews
    first), and return its run at once: the pull runs in a task. A pull of this connection already
    queued or running is returned instead of a second one."""
    with transaction.atomic():
        run, new = _new_run(shop_id=shop_id, connection_id=connection_id, start_push=False)
        if not new:
            return run
        enqueue_pull(connection_id=run.connection_id, pull_run_id=run.id)
    logger.info(
        "connections.pull_queued", extra={"shop_id": shop_id, "connection_id": connection_id, "pull_run_id": run.id}
    )
    return run


def _new_run(*, shop_id: int, connection_id: int, start_push: bool) -> tuple[PullRun, bool]:
    """A new run of the connection's pull, or the one already under way (and False). Inside the
    caller's transaction: the connection row is locked so two asks make one run."""
    connection = BackerKitConnection.objects.select_for_update().get(shop_id=shop_id, id=connection_id)
    if not usable(connection):
        raise ConnectionProblem(PullRun.Problem.CONNECTION_STOPPED)
    now = timezone.now()
    active = connection.pull_runs.filter(state__in=PullRun.ACTIVE_STATES)
    current = active.filter(updated_at__gte=now - PULL_STALE_AFTER).first()
    if current is not None:
        return current, False
    active.update(state=PullRun.State.FAILED, problem=PullRun.Problem.ABANDONED, finished_at=now, updated_at=now)
    return PullRun.objects.create(shop_id=shop_id, connection=connection, start_push=start_push), True


def pull_and_push_now(
    *,
    shop_id: int,
    connection_id: int,
    timeout: float,
    on_page: Callable[[ImportRun], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[PullRun, list[int]]:
    """Pull the connection now, in this process (a command, never a request), pushing what comes in;
    returns the run and the import runs of its pages. BackerKit throttling it or down: it waits as
    the task would (``Retry-After``, the backoff) while within ``timeout`` seconds; past it the run
    is left running and the scheduled pull goes on from the cursor."""
    with transaction.atomic():
        run, new = _new_run(shop_id=shop_id, connection_id=connection_id, start_push=True)
    if not new:
        raise ConnectionProblem(Problem.PULL_UNDER_WAY)
    import_runs: list[int] = []

    def page(import_run: ImportRun) -> None:
        import_runs.append(import_run.id)
        if on_page is not None:
            on_page(import_run)

    deadline = time.monotonic() + timeout
    logger.info("connections.pull_now", extra={"shop_id": shop_id, "connection_id": connection_id,
                                                "pull_run_id": run.id})  # fmt: skip
    while True:
        run = run_pull(pull_run_id=run.id, on_page=page)
        if run.retry_in is None or time.monotonic() + run.retry_in > deadline:
            break
        sleep(run.retry_in)
    if import_runs and not Shop.objects.filter(id=shop_id, auto_push=True).exists():
        start_lanes(shop_id=shop_id)  # asked to push now: the store's "push automatically" is off
    return run, import_runs
