"""Pulling locked (ready to ship) orders from BackerKit, page by page since the stored cursor.

Each page is imported and the cursor saved after it, so an interrupted pull resumes where it
stopped and a re-pulled page changes nothing (the import is idempotent).

Each typed error of the client is handled here, by type (integrations/backerkit/errors.py):

- refused key (401/403) or unknown project (404): the connection stops (``REFUSED``) with the
  reason in words, shown on the connection and home pages; nothing pulls it until the key is fixed
  (``update_api_key``, or a connection test that passes: ``key_works_again``);
- throttled (429): no pull before BackerKit's ``Retry-After``; the task asks again then;
- transient (5xx, timeout, connection): exponential backoff with jitter, bounded;
- anything else (an answer outside the contract): never retried quickly; the next scheduled pull
  after the longest backoff tries again.

Every one is logged once with a stable event name, the connection id and the error's type, and
left on the connection as ``last_pull_error`` (or ``stopped_reason``), never only as a traceback.
"""

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from integrations.backerkit.client import BackerKitClient
from integrations.backerkit.errors import (
    BackerKitError,
    BackerKitNotFound,
    BackerKitThrottled,
    BackerKitTransient,
    BackerKitUnauthorized,
)
from integrations.orders.models import BackerKitConnection, ImportRun
from integrations.orders.services import shipment_pause
from integrations.orders.services.backerkit_api import client_for
from integrations.orders.services.imports import import_orders
from integrations.orders.services.refusals import refusal_reason, refuse
from integrations.orders.shipment_tasks import probe_soon, resume_shipments
from integrations.shops.models import Shop

logger = logging.getLogger(__name__)

Status = BackerKitConnection.Status
_ERROR_FIELDS = ["pull_not_before", "pull_failures", "last_pull_error"]


@dataclass
class PullResult:
    """What one pull did: the import runs of the pages it took in, and when to ask again (None:
    not by itself; the schedule, or the merchant fixing the key)."""

    runs: list[ImportRun] = field(default_factory=list)
    retry_in: float | None = None
    error: str = ""
    exception: BackerKitError | None = None  # what ended the pull, if BackerKit did


def connections_due() -> list[int]:
    """The connections the schedule pulls now: active, of a pushing shop, not waiting out a 429 or
    a backoff."""
    return list(
        BackerKitConnection.objects.filter(
            kind=BackerKitConnection.Kind.API,
            status=Status.ACTIVE,
            shop__status=Shop.Status.CONNECTED,
            shop__auto_push=True,
        )
        .filter(Q(pull_not_before__isnull=True) | Q(pull_not_before__lte=timezone.now()))
        .values_list("id", flat=True)
    )


def pull_connection(
    *, connection_id: int, start_push: bool = True, on_page: Callable[[ImportRun], None] | None = None
) -> list[ImportRun]:
    """``pull``, for callers that only want the import runs."""
    return pull(connection_id=connection_id, start_push=start_push, on_page=on_page).runs


def pull(
    *,
    connection_id: int,
    start_push: bool = True,
    on_page: Callable[[ImportRun], None] | None = None,
    changes: bool = False,
) -> PullResult:
    """Pull every page since the connection's cursor, then (``changes``: the scheduled pull) the
    change feed since its own cursor. ``on_page`` hears of every page once it is
    taken in (a merchant's pull shows its progress). BackerKit's errors end the pull, recorded on the
    connection and in the result (``error``, ``exception``, and ``retry_in`` when to ask again)."""
    connection = BackerKitConnection.objects.select_related("shop").get(id=connection_id)
    result = PullResult()
    if connection.kind != BackerKitConnection.Kind.API or connection.status != Status.ACTIVE:
        return result  # a stopped connection is not pulled (a task queued before it stopped)
    try:
        with client_for(connection) as client:
            _pull_pages(connection=connection, client=client, start_push=start_push, runs=result.runs,
                        on_page=on_page)  # fmt: skip
            if changes:
                _pull_changes(connection=connection, client=client, start_push=start_push, runs=result.runs)
    except (BackerKitUnauthorized, BackerKitNotFound) as exc:
        _refused(connection=connection, exc=exc, result=result)
    except BackerKitThrottled as exc:
        _wait(connection=connection, exc=exc, seconds=exc.retry_after, result=result, event="backerkit.pull_throttled")
    except BackerKitTransient as exc:
        _wait(connection=connection, exc=exc, seconds=_backoff(connection.pull_failures + 1), result=result,
              event="backerkit.pull_failed", failed=True)  # fmt: skip
    except BackerKitError as exc:
        _wait(connection=connection, exc=exc, seconds=float(settings.BACKERKIT_PULL_BACKOFF_MAX_SECONDS),
              result=result, event="backerkit.pull_failed", failed=True, retry=False)  # fmt: skip
    else:
        if connection.pull_failures or connection.last_pull_error or connection.pull_not_before:
            logger.info("backerkit.pull_recovered", extra={"connection_id": connection.id})
            _clear_errors(connection)
        if shipment_pause.probe_now(connection_id=connection.id):  # its shipments waited for an answer
            probe_soon(connection_id=connection.id)
    return result


def _pull_pages(
    *,
    connection: BackerKitConnection,
    client: BackerKitClient,
    start_push: bool,
    runs: list[ImportRun],
    on_page: Callable[[ImportRun], None] | None = None,
) -> None:
    pages = client.iter_locked_orders(since=connection.cursor or None, limit=settings.BACKERKIT_PAGE_SIZE)
    for page in pages:
        run = import_orders(
            shop=connection.shop,
            connection=connection,
            entries=enumerate(page.orders, start=1),
            source=ImportRun.Source.PULL,
            label=f"pull since {connection.cursor or 'start'}",
            start_push=start_push and connection.shop.auto_push,
        )
        runs.append(run)
        if page.next_cursor:
            connection.cursor = page.next_cursor
        connection.last_pulled_at = timezone.now()
        connection.save(update_fields=["cursor", "last_pulled_at"])
        if on_page:
            on_page(run)


def _pull_changes(
    *,
    connection: BackerKitConnection,
    client: BackerKitClient,
    start_push: bool,
    runs: list[ImportRun],
    on_page: Callable[[ImportRun], None] | None = None,
) -> None:
    """The change feed since its own cursor: newer versions of orders (changed, canceled, refunded).
    Taken in like any page: an order already pushed becomes an OrderChange (change_intake.py), one
    not pushed yet is pushed as its newest version, one canceled before its push is never sent.
    Its first read (no cursor yet) goes through every change BackerKit has: the versions already
    taken in are the same and change nothing."""
    pages = client.iter_changed_orders(connection.change_cursor or None, limit=settings.BACKERKIT_PAGE_SIZE)
    for page in pages:
        run = import_orders(
            shop=connection.shop,
            connection=connection,
            entries=enumerate(page.orders, start=1),
            source=ImportRun.Source.PULL,
            label=f"changes since {connection.change_cursor or 'start'}",
            start_push=start_push and connection.shop.auto_push,
        )
        runs.append(run)
        if page.next_cursor:
            connection.change_cursor = page.next_cursor
            connection.save(update_fields=["change_cursor"])
        if on_page:
            on_page(run)


def _backoff(failures: int) -> float:
    """Seconds before the next try after ``failures`` transient failures in a row: doubling from
    the base, capped, and jittered down to half so that many connections do not retry in step."""
    ceiling = min(
        float(settings.BACKERKIT_PULL_BACKOFF_MAX_SECONDS),
        float(settings.BACKERKIT_PULL_BACKOFF_SECONDS) * 2 ** max(failures - 1, 0),
    )
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _refused(*, connection: BackerKitConnection, exc: BackerKitError, result: PullResult) -> None:
    reason = refusal_reason(connection=connection, exc=exc)
    refuse(connection=connection, reason=reason)
    result.error, result.exception = reason, exc
    logger.warning(
        "backerkit.pull_stopped",
        extra={"connection_id": connection.id, "shop_id": connection.shop_id, "error": type(exc).__name__,
               "status": exc.status, "pages_pulled": len(result.runs)},
    )  # fmt: skip


def _wait(
    *,
    connection: BackerKitConnection,
    exc: BackerKitError,
    seconds: float,
    result: PullResult,
    event: str,
    failed: bool = False,
    retry: bool = True,
) -> None:
    when = timezone.now() + timedelta(seconds=seconds)
    if isinstance(exc, BackerKitThrottled):
        words = f"BackerKit asked us to slow down (429): fetching goes on at {when:%H:%M:%S} UTC."
    elif isinstance(exc, BackerKitTransient):
        words = f"BackerKit did not answer ({exc.message}): trying again at {when:%H:%M:%S} UTC."
    else:
        words = f"{exc.message}. Trying again at {when:%H:%M:%S} UTC."
    connection.pull_not_before, connection.last_pull_error = when, words
    if failed:
        connection.pull_failures += 1
    connection.save(update_fields=_ERROR_FIELDS)
    result.retry_in, result.error, result.exception = (seconds if retry else None), words, exc
    log = logger.info if isinstance(exc, BackerKitThrottled) else logger.warning
    log(
        event,
        extra={"connection_id": connection.id, "shop_id": connection.shop_id, "error": type(exc).__name__,
               "status": exc.status, "retry_in": round(seconds, 1), "failures": connection.pull_failures,
               "pages_pulled": len(result.runs)},
    )  # fmt: skip


def _clear_errors(connection: BackerKitConnection) -> None:
    connection.pull_not_before, connection.pull_failures, connection.last_pull_error = None, 0, ""
    connection.save(update_fields=_ERROR_FIELDS)


# --- the key is fixed ----------------------------------------------------------------------------


def key_works_again(*, connection: BackerKitConnection) -> bool:
    """A connection test passed: a connection BackerKit had refused is active again (its next pull
    resumes from its cursor). Returns whether it was refused."""
    if connection.status != Status.REFUSED:
        return False
    connection.status, connection.stopped_reason = Status.ACTIVE, ""
    connection.pull_not_before, connection.pull_failures, connection.last_pull_error = None, 0, ""
    connection.save(update_fields=["status", "stopped_reason", *_ERROR_FIELDS])
    logger.info("backerkit.pull_resumed", extra={"connection_id": connection.id, "shop_id": connection.shop_id})
    resume_shipments(connection_id=connection.id)  # its shipments waited for the key: sent now, paced
    return True


def update_api_key(*, connection_id: int, api_key: str) -> BackerKitConnection:
    """A new key for the connection (the merchant pasted it; the caller checked it with BackerKit):
    a refused connection becomes active again and its next pull resumes from its cursor."""
    connection = BackerKitConnection.objects.get(id=connection_id)
    connection.api_key = api_key.strip()
    connection.save(update_fields=["api_key"])
    if connection.status == Status.REFUSED:
        key_works_again(connection=connection)
    else:
        _clear_errors(connection)
    return connection
