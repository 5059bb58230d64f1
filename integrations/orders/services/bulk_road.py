"""The bulk road: a chunk of a shop's queue pushed through Shopify's bulk import, beside the lanes.

One run of ``start_chunk``: size the chunk from the shop's measured figures (bulk_sizing.py),
claim it (records stamped with the operation before anything is uploaded: bulk_claims.py), map
each order exactly as a lane does (the same variables, recorded in ``sent_input``), write them as
JSONL, ``stagedUploadsCreate`` + upload, then ``bulkOperationRunMutation`` with ``ORDER_CREATE``
itself as the mutation. From then on the operation is followed (bulk_follow.py) by the
``bulk_operations/finish`` webhook and by polling.

What can go wrong, and what follows:
- nothing was run (claimed, mapping, upload, the run refused): the records go back to the queue
  as they were; a refusal about the road itself (INVALID_MUTATION, LIMIT_REACHED while none of
  ours runs, access denied) turns the shop's bulk road off, with the reason remembered;
  OPERATION_IN_PROGRESS (or LIMIT_REACHED while one of ours runs) only waits;
- the run's answer is lost (timeout): the operation stays RUN_SENT, and the follower finds it in
  ``bulkOperations`` or hands its records to the lookup (never resent blind);
- a worker killed anywhere: the follower takes the operation back from the stage it was left in.
"""

import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from integrations.backerkit.orders import BackerKitOrder, InvalidOrder
from integrations.orders.documents import BULK_OPERATION_RUN_MUTATION, ORDER_CREATE, STAGED_UPLOADS_CREATE
from integrations.orders.mapping import NeedsAttention, map_order, variant_skus
from integrations.orders.models import BackerKitConnection, BulkOperation, PushAttempt, PushRecord
from integrations.orders.services import bulk_claims
from integrations.orders.services.bulk_sizing import MIN_CHUNK, Rates, chunk_size, ready_in_time
from integrations.orders.services.claims import OutcomeWriter
from integrations.orders.services.lanes import mapping_settings
from integrations.orders.services.push import (
    DEFAULT_ORDER_CREATE_COST,
    new_error_id,
    read_order,
    sent_fields,
    unexpected_error_text,
)
from integrations.orders.services.variants import resolve_variants
from integrations.shopify.bulk_files import staged_path, upload_jsonl
from integrations.shopify.errors import (
    ShopifyAccessDenied,
    ShopifyError,
    ShopifyInvalid,
    ShopifyThrottled,
    ShopifyTransient,
)
from integrations.shopify.rate_limit import CostBucket
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for

logger = logging.getLogger(__name__)

Stage = BulkOperation.Stage
Outcome = PushAttempt.Outcome
# At most this many of our bulk operations per shop at once (Shopify allows 5 from 2026-01; one
# sized to finish with the calls is the plan, a second may start while the first is read).
OPERATIONS_PER_SHOP = 2
# Codes of bulkOperationRunMutation's userErrors that only mean "later".
WAIT_CODES = ("OPERATION_IN_PROGRESS",)
CONTROL_CALL_COST = 10.0
# Records mapped at a time while a chunk is prepared.
PREPARE_SLICE = 500


@dataclass(frozen=True)
class StartReport:
    operation_id: int | None = None
    lines: int = 0
    stopped: str = ""
    measuring: bool = False  # the shop's first operation: watch it closely, it times the runner


def lease_seconds() -> float:
    """How long a worker preparing or following an operation holds it (then another may take it
    over): the lanes' claim lease, as long as a silent worker is trusted anywhere in the push."""
    return float(settings.PUSH_CLAIM_LEASE_SECONDS)


def active_operations(*, shop_id: int):
    return BulkOperation.objects.filter(shop_id=shop_id, stage__in=BulkOperation.ACTIVE_STAGES)


def road_open(shop: Shop) -> bool:
    return (
        shop.push_road != Shop.PushRoad.CALLS
        and not shop.bulk_refused_reason
        and shop.is_connected
        and not shop.pushes_paused
        and not shop.push_hold
    )


def rates_for(shop: Shop) -> Rates:
    calls = CostBucket(shop.domain).restore_rate() / DEFAULT_ORDER_CREATE_COST
    return Rates(calls, shop.bulk_lines_per_second, shop.bulk_start_seconds, prepare_seconds_per_line(shop))


def prepare_seconds_per_line(shop: Shop) -> float:
    """Our share of a chunk's start, per line: the claim to the run of the shop's last operation
    (mapping, stamping, the upload grow with the chunk; Shopify's start-up is apart)."""
    last = (
        BulkOperation.objects.filter(shop=shop, run_sent_at__isnull=False, lines__gte=MIN_CHUNK)
        .order_by("-id")
        .values_list("created_at", "run_sent_at", "lines")
        .first()
    )
    if last is None:
        return 0.0
    created, run_sent, lines = last
    return max((run_sent - created).total_seconds(), 0.0) / lines


def shops_to_start() -> list[int]:
    """Shops whose bulk road may take a chunk now: open, enough claimable orders for ``auto``, and
    none of their operations being prepared (a chunk at a time)."""
    busy = set(
        BulkOperation.objects.filter(stage__in=[Stage.CLAIMED, Stage.UPLOADED, Stage.RUN_SENT]).values_list(
            "shop_id", flat=True
        )
    )
    candidates = (
        PushRecord.objects.filter(state=PushRecord.State.PENDING, last_sent_at__isnull=True)
        .filter(
            shop__status=Shop.Status.CONNECTED,
            shop__pushes_paused=False,
            shop__push_hold="",
            shop__bulk_refused_reason="",
        )  # fmt: skip
        .exclude(shop__push_road=Shop.PushRoad.CALLS)
        .order_by()
        .values("shop_id")
        .annotate(n=Count("id"))
    )
    return [row["shop_id"] for row in candidates if row["shop_id"] not in busy]


def start_chunk(*, shop_id: int) -> StartReport:
    with transaction.atomic():
        # The shop's row locked: two starts at once (the tick's and an operation's end) see each
        # other's operation, so a shop's first (measuring) operation is alone.
        shop = Shop.objects.select_for_update().get(id=shop_id)
        size, stopped = _next_chunk(shop)
        if stopped:
            return StartReport(stopped=stopped)
        operation = BulkOperation.objects.create(shop=shop, lease_until=timezone.now())
    bulk_claims.renew_lease(operation=operation, seconds=lease_seconds())
    ids = bulk_claims.claim_chunk(operation=operation, limit=size)
    if not ids:
        bulk_claims.hand_back_unsent(operation=operation, problem="nothing left to claim")
        return StartReport(operation.id, 0, "nothing left to claim")
    try:
        return _prepare_and_run(shop=shop, operation=operation, ids=ids)
    except ShopDisconnected as exc:
        bulk_claims.hand_back_unsent(operation=operation, problem=str(exc))
        return StartReport(operation.id, 0, str(exc))
    except ShopifyError as exc:
        if operation.stage == Stage.RUN_SENT:
            raise  # _run handles its own; anything else after the run was sent stays for the follower
        bulk_claims.hand_back_unsent(operation=operation, problem=exc.message)
        return StartReport(operation.id, 0, exc.message)


def _next_chunk(shop: Shop) -> tuple[int, str]:
    """The next chunk's size, or why none starts now."""
    if not road_open(shop):
        return 0, "road closed"
    active = active_operations(shop_id=shop.id)
    if shop.bulk_lines_per_second is None and active.exists():
        # The first operation measures, alone. Once its objectCount shows its pace, the next chunk
        # is sized from that pace and prepared while it runs (else the runner idles meanwhile).
        shop.bulk_lines_per_second = _pace_shown(active)
        if shop.bulk_lines_per_second is None:
            return 0, "one being prepared"
    if active.count() >= OPERATIONS_PER_SHOP:
        return 0, "enough operations"
    if active.filter(stage__in=[Stage.CLAIMED, Stage.UPLOADED, Stage.RUN_SENT]).exists():
        return 0, "one being prepared"
    ahead = _running_seconds_left(shop, active)
    rates = rates_for(shop)
    pending = bulk_claims.claimable(shop_id=shop.id).count()
    calls_work = (
        PushRecord.objects.filter(shop_id=shop.id, state__in=[PushRecord.State.PENDING, PushRecord.State.PUSHING])
        .exclude(claim_token__startswith=bulk_claims.BULK_TOKEN_PREFIX)
        .count()
    )
    size = chunk_size(pending=pending, rates=rates, road=shop.push_road,
                      backlog=max(calls_work - pending, 0), ahead_seconds=ahead)  # fmt: skip
    lead = rates.prepare_seconds_per_line * size + (shop.bulk_start_seconds or 0.0) + settings.BULK_TICK_SECONDS
    if size > 0 and ahead > lead:
        # The next chunk is prepared so that it runs as the current one ends: not sooner (two
        # operations at once would share the runner) nor later (the runner would idle).
        return 0, "enough operations"
    size = ready_in_time(size=size, rates=rates, ahead_seconds=ahead)
    return (size, "") if size > 0 else (0, "the calls are enough")


def _pace_shown(active) -> float | None:
    """Lines a second of a shop's first operation while it runs, from Shopify's objectCount as the
    follower last saw it (None until a third of its lines ran: too few to time)."""
    operation = active.filter(stage=Stage.RUNNING, running_seen_at__isnull=False).first()
    if operation is None or operation.lines_done < max(operation.lines // 3, 1) or active.count() > 1:
        return None
    seconds = (timezone.now() - operation.running_seen_at).total_seconds()
    return operation.lines_done / seconds if seconds > 0.5 else None


def _running_seconds_left(shop: Shop, active) -> float:
    """How long the shop's running operations still run, at its measured rate (Shopify's objectCount
    as last seen by the follower)."""
    rate = shop.bulk_lines_per_second
    if not rate:
        return 0.0
    left = [max(op.lines - op.lines_done, 0) for op in active.filter(stage=Stage.RUNNING).only("lines", "lines_done")]
    return max(left, default=0) / rate


def _prepare_and_run(*, shop: Shop, operation: BulkOperation, ids: list[int]) -> StartReport:
    """The chunk mapped a slice at a time (records, orders and variables of one slice in memory,
    the file's bytes for the whole chunk): a worker's memory follows the slice, not the chunk."""
    started = time.monotonic()
    client = admin_client_for(shop_id=shop.id)
    bucket = CostBucket(shop.domain)
    settings_for = {c.id: mapping_settings(shop=shop, connection=c)
                    for c in BackerKitConnection.objects.filter(shop=shop)}  # fmt: skip
    data = bytearray()
    count = 0
    for first in range(0, len(ids), PREPARE_SLICE):
        records = list(PushRecord.objects.filter(id__in=ids[first : first + PREPARE_SLICE])
                       .select_related("connection").order_by("id"))  # fmt: skip
        lines = _map_slice(shop=shop, operation=operation, records=records, client=client, bucket=bucket,
                           settings_for=settings_for, first_line=count)  # fmt: skip
        bulk_claims.stamp_lines(operation=operation, lines=lines)
        for _, _, variables, _ in lines:
            data += json.dumps(variables, separators=(",", ":")).encode() + b"\n"
        count += len(lines)
    if not count:
        bulk_claims.hand_back_unsent(operation=operation, problem="no order of the chunk could be sent")
        return StartReport(operation.id, 0, "nothing to send")
    data = bytes(data)
    BulkOperation.objects.filter(id=operation.id).update(lines=count)
    operation.lines = count
    mapped = time.monotonic()
    target = _staged_target(client=client, bucket=bucket, shop=shop, size=len(data))
    upload_jsonl(target=target, data=data, shop=shop.domain)
    BulkOperation.objects.filter(id=operation.id).update(stage=Stage.UPLOADED)
    bulk_claims.renew_lease(operation=operation, seconds=lease_seconds())
    logger.info("bulk.prepared", extra={"shop_id": shop.id, "operation": operation.id, "lines": count,
                                        "map_seconds": round(mapped - started, 2),
                                        "upload_seconds": round(time.monotonic() - mapped, 2)})  # fmt: skip
    return _run(shop=shop, operation=operation, client=client, path=staged_path(target))


def _map_slice(*, shop: Shop, operation: BulkOperation, records: list[PushRecord], client, bucket: CostBucket,
               settings_for: dict, first_line: int) -> list[tuple[PushRecord, int, dict, dict]]:  # fmt: skip
    orders = {record.id: read_order(record) for record in records}
    skus = variant_skus(order for order in orders.values() if isinstance(order, BackerKitOrder))
    variants = resolve_variants(client=client, skus=skus, on_cost=bucket.observe)
    lines: list[tuple[PushRecord, int, dict, dict]] = []
    token = operation.claim_token
    for record in records:  # the per-record boundary: one order's problem stops that order alone
        outcome = OutcomeWriter(record=record, token=token, started_at=timezone.now())
        order = orders[record.id]
        try:
            if isinstance(order, InvalidOrder):
                outcome.failed(Outcome.INVALID, str(order))
                continue
            if isinstance(order, Exception):
                raise order
            mapped = map_order(order, settings=settings_for[record.connection_id], variants=variants)
            if isinstance(mapped, NeedsAttention):
                outcome.needs_attention(Outcome.NEEDS_ATTENTION, "\n".join(mapped.reasons))
                continue
            variables = {"order": mapped.order_input, "options": mapped.options}
            lines.append((record, first_line + len(lines), variables, sent_fields(mapped, variants)))
        except Exception:
            error_id = new_error_id()
            logger.exception("bulk.record_crashed", extra={"error_id": error_id, "record_id": record.id})
            outcome.failed(Outcome.UNEXPECTED, unexpected_error_text(error_id))
    return lines


def _staged_target(*, client, bucket: CostBucket, shop: Shop, size: int) -> dict:
    # Ahead of the lanes' booked calls (seconds of them on a slow bucket): this one call starts the
    # whole chunk. Throttled all the same (the reserve was spent): wait for the bucket once.
    bucket.take_ahead(CONTROL_CALL_COST)
    variables = {"input": [{"resource": "BULK_MUTATION_VARIABLES", "filename": "orders.jsonl",
                            "mimeType": "text/jsonl", "httpMethod": "POST", "fileSize": str(size)}]}  # fmt: skip
    try:
        response = client.execute(STAGED_UPLOADS_CREATE, variables)
    except ShopifyThrottled as exc:
        bucket.drain(exc.retry_after)
        bucket.wait_and_take(CONTROL_CALL_COST, max_wait=30.0)
        response = client.execute(STAGED_UPLOADS_CREATE, variables)
    bucket.observe(response.cost, taken=CONTROL_CALL_COST)
    payload = response.data["stagedUploadsCreate"]
    if payload["userErrors"] or not payload["stagedTargets"]:
        raise ShopifyInvalid(f"stagedUploadsCreate: {payload['userErrors']}", shop=shop.domain)
    return payload["stagedTargets"][0]


def _run(*, shop: Shop, operation: BulkOperation, client, path: str) -> StartReport:
    bulk_claims.stamp_run(operation=operation)
    identifier = f"backerkit-bulk-{operation.id}"
    variables = {"mutation": ORDER_CREATE, "stagedUploadPath": path, "clientIdentifier": identifier}
    try:
        response = client.execute(BULK_OPERATION_RUN_MUTATION, variables)
    except ShopifyTransient as exc:
        if exc.ambiguous:
            # It may be running: the follower finds it among the shop's operations, or hands the
            # records to the lookup. Never sent again blind.
            bulk_claims.release_lease(operation=operation)
            BulkOperation.objects.filter(id=operation.id).update(problem=f"run answer lost: {exc.message}")
            return StartReport(operation.id, operation.lines, "run answer lost")
        bulk_claims.hand_back_unsent(operation=operation, problem=exc.message)
        return StartReport(operation.id, 0, exc.message)
    except ShopifyAccessDenied as exc:
        return _refused(shop=shop, operation=operation, reason=f"Shopify denied the bulk import: {exc.message}")
    except ShopifyInvalid as exc:
        return _refused(shop=shop, operation=operation, reason=f"Shopify refused the bulk import: {exc.message}")
    except ShopifyError as exc:  # unauthorized, throttled, shop unavailable: nothing ran
        bulk_claims.hand_back_unsent(operation=operation, problem=exc.message)
        return StartReport(operation.id, 0, exc.message)
    payload = response.data["bulkOperationRunMutation"]
    errors = payload.get("userErrors") or []
    if errors:
        return _run_refused(shop=shop, operation=operation, errors=errors)
    node = payload["bulkOperation"]
    BulkOperation.objects.filter(id=operation.id).update(
        stage=Stage.RUNNING, shopify_id=node["id"], shopify_status=node["status"], lease_until=None
    )
    logger.info("bulk.started", extra={"shop_id": shop.id, "operation": operation.id, "lines": operation.lines,
                                       "shopify_id": node["id"]})  # fmt: skip
    return StartReport(operation.id, operation.lines, measuring=shop.bulk_lines_per_second is None)


def _run_refused(*, shop: Shop, operation: BulkOperation, errors: list[dict]) -> StartReport:
    codes = [e.get("code") or "" for e in errors]
    text = "; ".join(f"{e.get('code') or 'error'}: {e.get('message')}" for e in errors)
    others_running = active_operations(shop_id=shop.id).filter(~Q(id=operation.id), stage=Stage.RUNNING).exists()
    if all(code in WAIT_CODES or (code == "LIMIT_REACHED" and others_running) for code in codes):
        bulk_claims.hand_back_unsent(operation=operation, problem=f"waiting: {text}")
        return StartReport(operation.id, 0, "waiting for a running operation")
    return _refused(shop=shop, operation=operation, reason=f"Shopify refused the bulk import ({text}).")


def _refused(*, shop: Shop, operation: BulkOperation, reason: str) -> StartReport:
    """The road itself is refused: calls alone from now on, the reason kept for the staff console."""
    bulk_claims.hand_back_unsent(operation=operation, problem=reason)
    turn_off(shop_id=shop.id, reason=reason)
    return StartReport(operation.id, 0, reason)


def turn_off(*, shop_id: int, reason: str) -> None:
    Shop.objects.filter(id=shop_id).update(bulk_refused_reason=reason[:2000], bulk_refused_at=timezone.now())
    logger.warning("bulk.road_refused", extra={"shop_id": shop_id, "reason": reason[:300]})


def turn_on_again(*, shop_id: int) -> None:
    """A rep's decision after a refusal (staff console): try the bulk road again."""
    Shop.objects.filter(id=shop_id).update(bulk_refused_reason="", bulk_refused_at=None)


def shop_of(*, operation_id: int) -> int:
    return BulkOperation.objects.values_list("shop_id", flat=True).get(id=operation_id)
