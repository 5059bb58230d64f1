"""Following a bulk operation to its end and writing each result line to its record.

Woken by the ``bulk_operations/finish`` webhook and by the beat's tick (the webhook is not
guaranteed). Whatever stage a worker left an operation in, the follower takes it on once the
worker's lease ran out:
- CLAIMED / UPLOADED: nothing ran. The records go back to the queue as they were.
- RUN_SENT without Shopify's id (the run's answer lost, or the worker killed waiting for it): the
  shop's newest bulk operations are asked for; one created since the run that is not ours yet is
  ours. None: the records go to the lookup (pending, still marked as sent).
- RUNNING: ``bulkOperation(id:)``. At its end the results file (COMPLETED: ``url``; FAILED:
  ``partialDataUrl``) is read line by line: each ``__lineNumber`` is a record, written as a lane
  writes an ``orderCreate`` answer (pushed with id and name, or needing attention with Shopify's
  userErrors). A line without a result, or with errors instead of one, and every line of a
  CANCELED or EXPIRED operation, is handed to the lookup by source identifier after the search
  grace (never resent blind). Reading again is harmless: only records still held are written.
Finished operations teach the shop's figures (lines a second, Shopify's start-up).
"""

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import islice

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.orders.documents import BULK_OPERATION, RECENT_BULK_OPERATIONS
from integrations.orders.models import BulkOperation, PushAttempt, PushRecord
from integrations.orders.services import bulk_claims
from integrations.orders.services.bulk_road import lease_seconds, turn_off
from integrations.orders.services.bulk_sizing import measured
from integrations.orders.services.claims import OutcomeWriter
from integrations.orders.services.push import PushContext, write_answer
from integrations.shopify.bulk_files import result_lines
from integrations.shopify.errors import ShopifyError, ShopifyInvalid, ShopifyTransient
from integrations.shopify.rate_limit import CostBucket
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for

logger = logging.getLogger(__name__)

Stage = BulkOperation.Stage
Outcome = PushAttempt.Outcome
State = PushRecord.State
TERMINAL = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")
RESULT_BATCH = 500
# Lines failing with errors Shopify's docs do not describe, above this share: the road is turned off.
UNDOCUMENTED_FAILURE_SHARE = 0.1


def active_ids() -> list[int]:
    return list(BulkOperation.objects.filter(stage__in=BulkOperation.ACTIVE_STAGES).values_list("id", flat=True))


def is_active(*, operation_id: int) -> bool:
    return BulkOperation.objects.filter(id=operation_id, stage__in=BulkOperation.ACTIVE_STAGES).exists()


def active_of(*, shop_id: int) -> list[int]:
    return list(
        BulkOperation.objects.filter(shop_id=shop_id, stage__in=BulkOperation.ACTIVE_STAGES)
        .order_by("id")
        .values_list("id", flat=True)
    )


def oldest_active(*, shop_id: int, besides: int | None = None) -> int | None:
    operations = BulkOperation.objects.filter(shop_id=shop_id, stage__in=BulkOperation.ACTIVE_STAGES)
    if besides is not None:
        operations = operations.exclude(id=besides)
    return operations.order_by("id").values_list("id", flat=True).first()


def by_shopify_id(*, shop_domain: str, shopify_id: str) -> int | None:
    return (
        BulkOperation.objects.filter(shop__domain=shop_domain, shopify_id=shopify_id)
        .values_list("id", flat=True)
        .first()
    )


def follow(*, operation_id: int) -> str:
    operation = bulk_claims.take_lease(operation_id=operation_id, seconds=lease_seconds())
    if operation is None:
        return "another worker is on it"
    try:
        return _follow(operation)
    except (ShopifyError, ShopDisconnected) as exc:
        message = getattr(exc, "message", str(exc))
        BulkOperation.objects.filter(id=operation.id).update(problem=message[:1000])
        return f"later: {message}"
    finally:
        bulk_claims.release_lease(operation=operation)


def _follow(operation: BulkOperation) -> str:
    if operation.stage not in BulkOperation.ACTIVE_STAGES:
        return "already done"  # a second wake-up (webhook and tick): nothing to write twice
    if operation.stage in (Stage.CLAIMED, Stage.UPLOADED):
        handed = bulk_claims.hand_back_unsent(operation=operation, problem="never ran (its worker stopped)")
        return f"handed back {handed}"
    client = admin_client_for(shop_id=operation.shop_id)
    if operation.stage == Stage.RUN_SENT and not operation.shopify_id:
        return _find_lost_run(operation, client)
    node = client.execute(BULK_OPERATION, {"id": operation.shopify_id}).data["bulkOperation"]
    if node is None:
        return _resolve(operation, client, {"status": "EXPIRED", "id": operation.shopify_id})
    _seen(operation, node)
    if node["status"] not in TERMINAL:
        return node["status"].lower()
    return _resolve(operation, client, node)


def _seen(operation: BulkOperation, node: dict) -> None:
    fields = {"shopify_status": node["status"], "lines_done": int(node.get("objectCount") or 0)}
    if operation.running_seen_at is None and (node["status"] != "CREATED" or fields["lines_done"]):
        fields["running_seen_at"] = operation.running_seen_at = timezone.now()
    BulkOperation.objects.filter(id=operation.id).update(**fields)


def _find_lost_run(operation: BulkOperation, client) -> str:
    nodes = client.execute(RECENT_BULK_OPERATIONS, {"first": 10}).data["bulkOperations"]["nodes"]
    known = set(BulkOperation.objects.filter(shop_id=operation.shop_id).exclude(shopify_id="")
                .values_list("shopify_id", flat=True))  # fmt: skip
    since = (operation.run_sent_at or operation.created_at) - timedelta(seconds=5)
    mine = [n for n in nodes if n["id"] not in known and (parse_datetime(n["createdAt"]) or since) >= since]
    if mine:
        node = min(mine, key=lambda n: n["createdAt"])
        BulkOperation.objects.filter(id=operation.id).update(stage=Stage.RUNNING, shopify_id=node["id"],
                                                             shopify_status=node["status"])  # fmt: skip
        operation.stage, operation.shopify_id = Stage.RUNNING, node["id"]
        logger.info("bulk.found_lost_run", extra={"operation": operation.id, "shopify_id": node["id"]})
        return "found its run"
    if timezone.now() - (operation.run_sent_at or operation.created_at) < timedelta(seconds=lease_seconds() / 4):
        return "run answer lost: looking again soon"  # Shopify may list it a little later
    handed = bulk_claims.hand_to_lookup(
        operation=operation, outcome=Outcome.AMBIGUOUS,
        reason="The bulk operation's start was not confirmed: the order is looked up before anything is sent again.",
    )  # fmt: skip
    _close(operation, stage=Stage.ABANDONED, problem="run not found in Shopify", handed_back=handed)
    return f"run not found: {handed} to the lookup"


def _resolve(operation: BulkOperation, client, node: dict) -> str:
    ended = timezone.now()  # before the results are written: the runner's time, not ours
    status = node["status"]
    url = node.get("url") if status == "COMPLETED" else node.get("partialDataUrl") if status == "FAILED" else None
    written = {"pushed": 0, "attention": 0, "line_errors": 0, "throttled": 0, "first_error": ""}
    if url:
        try:
            _write_results(operation, client, url, written)
        except ShopifyTransient:
            raise  # read again at the next tick (the file is kept 7 days)
        except ShopifyInvalid as exc:
            logger.warning("bulk.results_unreadable", extra={"operation": operation.id, "error": exc.message})
    reason = (
        f"The bulk operation ended {status} without this order's result: it is looked up in Shopify "
        "before anything is sent again."
    )
    handed = bulk_claims.hand_to_lookup(operation=operation, outcome=Outcome.AMBIGUOUS, reason=reason)
    _close(operation, stage=Stage.RESOLVED, shopify_status=status, error_code=node.get("errorCode") or "",
           pushed=written["pushed"], attention=written["attention"], handed_back=handed,
           lines_done=int(node.get("objectCount") or operation.lines_done))  # fmt: skip
    if status == "COMPLETED" and not written["throttled"]:
        _learn(operation, node, ended=ended)  # a throttled operation's pace is not the runner's
    lines = max(operation.lines, 1)
    if written["throttled"]:
        turn_off(shop_id=operation.shop_id, reason=dev_store_limit_reason(operation=operation, written=written))
    elif written["line_errors"] and written["line_errors"] / lines > UNDOCUMENTED_FAILURE_SHARE:
        turn_off(shop_id=operation.shop_id, reason=(
            f"{written['line_errors']} of {operation.lines} lines of bulk operation {operation.shopify_id} failed in a "
            f"way Shopify does not document ({written['first_error']})."))  # fmt: skip
    logger.info("bulk.resolved", extra={"operation": operation.id, "status": status, **written, "handed": handed})
    return f"{status.lower()}: {written['pushed']} pushed, {handed} to the lookup"


def _write_results(operation: BulkOperation, client, url: str, written: dict) -> None:
    shop = operation.shop
    ctx = PushContext(shop_id=shop.id, client=client, settings_for={}, variants={}, bucket=CostBucket(shop.domain),
                      token=operation.claim_token)  # fmt: skip
    started = timezone.now()
    lines = result_lines(url=url, shop=shop.domain)
    for batch in _batches(lines, RESULT_BATCH):
        # One transaction a batch: a commit per record (its fsync) was 6 ms of 7 per result line.
        # A worker killed inside it writes none of the batch: those records are still held and
        # the next follower reads the file again.
        with transaction.atomic():
            _write_batch(operation, ctx, batch, started, written)
        bulk_claims.renew_lease(operation=operation, seconds=lease_seconds())


def _write_batch(operation: BulkOperation, ctx: PushContext, batch: list[dict], started, written: dict) -> None:
    numbers = {line.get("__lineNumber"): line for line in batch}
    records = bulk_claims.held(operation).filter(bulk_line__in=[n for n in numbers if isinstance(n, int)])
    pushed_ids = []
    for record in records:
        line = numbers[record.bulk_line]
        payload = (line.get("data") or {}).get("orderCreate")
        if not payload:
            if _throttled(line):
                written["throttled"] += 1  # the development-store limit inside bulk
            else:
                written["line_errors"] += 1
                written["first_error"] = written["first_error"] or _error_text(line)
            continue  # no result for this line: the lookup decides
        outcome = OutcomeWriter(record=record, token=operation.claim_token, started_at=started)
        write_answer(record=record, payload=payload, ctx=ctx, outcome=outcome)
        if payload.get("order") and not payload.get("userErrors"):
            pushed_ids.append(record.id)
    if pushed_ids:
        PushRecord.objects.filter(id__in=pushed_ids, state=State.PUSHED).update(road=PushRecord.Road.BULK)
    written["pushed"] += len(pushed_ids)
    written["attention"] += ctx.stats.pop("needs_attention", 0)


def _batches(lines: Iterator[dict], size: int) -> Iterator[list[dict]]:
    while batch := list(islice(lines, size)):
        yield batch


def _throttled(line: dict) -> bool:
    """A line refused by the development store's limit of five orders a minute (the same error a
    call gets: code THROTTLED, "Exceeded order API rate limit"; docs/shopify-facts.md, orderCreate).
    Whether the limit applies inside bulk is not documented: when it does, this is how it shows."""
    return any((error.get("extensions") or {}).get("code") == "THROTTLED" for error in line.get("errors") or [])


def dev_store_limit_reason(*, operation: BulkOperation, written: dict) -> str:
    return (
        f"Shopify's development-store limit (5 new orders a minute) applies inside bulk operations on this "
        f"store: {written['throttled']} of {operation.lines} lines of bulk operation {operation.shopify_id} were "
        f"throttled ({written['pushed']} created). The store pushes by calls alone, at the limit's pace; the "
        "throttled orders are looked up in Shopify before anything is sent again."
    )


def _error_text(line: dict) -> str:
    errors = line.get("errors") or []
    return "; ".join(str(e.get("message"))[:200] for e in errors[:2]) or "no data"


def _close(operation: BulkOperation, *, stage: str, **fields) -> None:
    BulkOperation.objects.filter(id=operation.id).update(stage=stage, finished_at=timezone.now(), **fields)


def _learn(operation: BulkOperation, node: dict, *, ended: datetime) -> None:
    """The shop's bulk figures from a COMPLETED operation: its lines a second while Shopify ran
    it, and Shopify's start-up (from the run to the status leaving CREATED; our own preparation
    is timed apart, bulk_road.prepare_seconds_per_line). Shopify's createdAt/completedAt have one
    second's resolution: a long operation is timed by them, a short one by our own clock (the
    start seen when the status left CREATED, the end when the follower saw it)."""
    if operation.lines < 10 or operation.run_sent_at is None:
        return
    seen = operation.running_seen_at or operation.run_sent_at
    created, completed = _when(node.get("createdAt")), _when(node.get("completedAt"))
    theirs = (completed - created).total_seconds() if created and completed else 0.0
    shopify_start = max((seen - operation.run_sent_at).total_seconds(), 0.0)
    running = theirs - shopify_start if theirs >= 30 else (ended - seen).total_seconds()
    start = shopify_start
    shop = Shop.objects.get(id=operation.shop_id)
    rate, start = measured(lines=operation.lines, running_seconds=max(running, 0.001), start_seconds=start,
                           previous=(shop.bulk_lines_per_second, shop.bulk_start_seconds))  # fmt: skip
    Shop.objects.filter(id=shop.id).update(bulk_lines_per_second=rate, bulk_start_seconds=start)
    logger.info("bulk.measured", extra={"shop_id": shop.id, "lines_per_second": round(rate, 2),
                                        "start_seconds": round(start, 2)})  # fmt: skip


def _when(text: str | None) -> datetime | None:
    return parse_datetime(text) if text else None
