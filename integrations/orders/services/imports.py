"""Taking BackerKit orders in (a file import or a pull): one push record per order, never two.

Every order that comes in ends as a record: valid ones pending, invalid ones failed with a
message naming the order and the field. The unique (shop, BackerKit order id) constraint, with
``ignore_conflicts`` on insert, makes a re-import or two racing imports harmless. Only the
contract's fields are stored: ``note``, ``survey_answers`` and any field the contract does not name
are dropped here, before anything is stored.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils import timezone

from integrations.backerkit.files import EntryError
from integrations.backerkit.orders import (
    CONTRACT_VERSION,
    InvalidOrder,
    is_storable_text,
    known_fields,
    rebuild_validated_order,
    validate_order,
)
from integrations.orders.change_lane_tasks import start_change_lanes
from integrations.orders.changes import CANCELED, REFUNDED
from integrations.orders.lane_tasks import start_lanes
from integrations.orders.mapping import currency_mismatch
from integrations.orders.models import BackerKitConnection, ChangeSettings, ImportRun, OrderChange, PushRecord
from integrations.orders.services.change_intake import settings_for, take_in
from integrations.orders.services.digests import customer_digest
from integrations.shops.models import Shop

logger = logging.getLogger(__name__)

State = PushRecord.State
CHUNK = 500
# The first chunk is small: the lanes start once it commits, so a large file's first orders (or
# changes) are on their way to Shopify within a fraction of a second instead of after 500 rows.
# The next ones double up to CHUNK: the lanes started on the first chunk have work as soon as they
# need more (500 rows are about half a second of import on a busy machine, and a Plus store's bucket
# takes 200 orders a second at the start, so the lanes waited for the second chunk).
FIRST_CHUNK = 25


def storable(raw: dict) -> dict:
    """What a record keeps of a BackerKit order: the contract's fields only."""
    return known_fields(raw)


def currency_problem(*, shop: Shop, currency: str) -> str:
    mismatch = currency_mismatch(campaign=currency, store=shop.currency)
    return f"{mismatch} Orders are not pushed until the currencies match." if mismatch else ""


def _chunks(entries: Iterable[tuple[int, Any]]) -> Iterator[list[tuple[int, Any]]]:
    iterator = iter(entries)
    size = FIRST_CHUNK
    while chunk := list(islice(iterator, size)):
        yield chunk
        size = min(size * 2, CHUNK)


def import_orders(
    *,
    shop: Shop,
    connection: BackerKitConnection,
    entries: Iterable[tuple[int, Any]],
    source: str,
    label: str,
    start_push: bool = True,
    on_progress: Callable[[ImportRun], None] | None = None,
) -> ImportRun:
    run = ImportRun.objects.create(shop=shop, connection=connection, source=source, label=label[:255])
    choice = settings_for(shop.id)
    for chunk in _chunks(entries):
        with transaction.atomic():
            changes_before = run.changes
            _import_chunk(run=run, shop=shop, connection=connection, chunk=chunk, choice=choice)
            if start_push:
                start_lanes(shop_id=shop.id)  # the push starts with the first chunk, not after the file
            if run.changes > changes_before:
                start_change_lanes(shop_id=shop.id)
        if on_progress:
            on_progress(run)
    run.finished_at = timezone.now()
    run.save()
    logger.info(
        "import.done",
        extra={"shop": shop.domain, "run_id": run.id, "received": run.received, "accepted": run.accepted,
               "refused": run.refused, "already_known": run.already_known, "changes": run.changes},
    )  # fmt: skip
    return run


def _import_chunk(
    *, run: ImportRun, shop: Shop, connection: BackerKitConnection, chunk: list, choice: ChangeSettings
) -> None:
    rows: dict[str, dict] = {}
    for position, entry in chunk:
        run.received += 1
        row = _row_for(run=run, shop=shop, connection=connection, position=position, entry=entry)
        if row["backerkit_order_id"] in rows:
            run.already_known += 1  # the same order twice in one import: the first one counts
            continue
        rows[row["backerkit_order_id"]] = row

    existing = {
        r.backerkit_order_id: r
        for r in PushRecord.objects.select_for_update().filter(shop=shop, backerkit_order_id__in=list(rows))
    }
    new = [PushRecord(shop=shop, connection=connection, last_import=run, **row) for key, row in rows.items()
           if key not in existing]  # fmt: skip
    PushRecord.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)
    for key, record in existing.items():
        row = rows[key]
        if record.state in (State.PUSHED, State.PUSHING):
            if _took_in_change(record=record, row=row, run=run, connection=connection, choice=choice):
                run.changes += 1
            else:
                run.already_known += 1
            continue
        if record.state in (State.PENDING, State.PAUSED) and row["state"] == State.PENDING:
            row = {**row, "state": record.state}
        for name, value in row.items():
            setattr(record, name, value)
        record.connection = connection
        record.last_import = run
        record.attempts = 0
        record.not_before = None
        record.save()
    for row in rows.values():
        if row["state"] == State.FAILED:
            run.refused += 1
        elif row["backerkit_order_id"] not in existing or existing[row["backerkit_order_id"]].state not in (
            State.PUSHED,
            State.PUSHING,
        ):
            run.accepted += 1
    run.save()


def _took_in_change(
    *, record: PushRecord, row: dict, run: ImportRun, connection: BackerKitConnection, choice: ChangeSettings
) -> bool:
    """A newer version of an order already pushed becomes an OrderChange (services/change_intake.py)."""
    if not row["validated_contract"] or not row["order_data"]:
        return False  # an invalid newer version changes nothing in Shopify
    sent_by = ("File " if run.source == ImportRun.Source.FILE else "BackerKit pull ") + run.label
    change: OrderChange | None = take_in(
        record=record, order=rebuild_validated_order(row["order_data"]), stored=row["order_data"],
        connection=connection, run=run, sent_by=sent_by, choice=choice,
    )  # fmt: skip
    return change is not None


def _row_for(*, run: ImportRun, shop: Shop, connection: BackerKitConnection, position: int, entry: Any) -> dict:
    if isinstance(entry, EntryError):
        return _refused(key=f"{run.label}#{position}", data=None, error=entry.message)
    raw = entry
    try:
        order = validate_order(raw)
    except InvalidOrder as exc:
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        usable = isinstance(raw_id, str) and raw_id.strip() and len(raw_id) <= 255 and is_storable_text(raw_id)
        key = raw_id if usable else f"{run.label}#{position}"
        data = storable(raw) if isinstance(raw, dict) else None
        return _refused(key=key, data=data, error=str(exc))
    problem = currency_problem(shop=shop, currency=order.currency)
    if problem:
        _stop_connection(connection=connection, reason=problem)
    closed = order.status in (CANCELED, REFUNDED)
    return {
        "backerkit_order_id": order.id,
        "backer_id": order.backer_id[:255],
        "customer_digest": customer_digest(order.email),
        "order_data": storable(raw),
        "currency": order.currency,
        "amount_paid": order.amount_paid,
        # Canceled or refunded before its push: never sent (a pushed one becomes an OrderChange).
        "state": State.FAILED if closed else (State.NEEDS_ATTENTION if problem else State.PENDING),
        "last_error": f"{order.status.capitalize()} in BackerKit before it was pushed: not sent to Shopify."
        if closed
        else problem,
        "invalid_input": closed,
        "validated_contract": CONTRACT_VERSION,
        "personal_data_purged_at": None,  # a re-import after an erasure: the retention counts again
    }


def _refused(*, key: str, data: dict | None, error: str) -> dict:
    return {
        "backerkit_order_id": key[:255],
        "backer_id": "",
        "customer_digest": customer_digest(str((data or {}).get("email") or "")),
        "order_data": data,
        "currency": "",
        "amount_paid": None,
        "state": State.FAILED,
        "last_error": error,
        "invalid_input": True,
        "validated_contract": "",
        "personal_data_purged_at": None,
    }


def _stop_connection(*, connection: BackerKitConnection, reason: str) -> None:
    if connection.status != BackerKitConnection.Status.STOPPED or connection.stopped_reason != reason:
        connection.status = BackerKitConnection.Status.STOPPED
        connection.stopped_reason = reason
        connection.save(update_fields=["status", "stopped_reason"])
        logger.warning("connection.stopped", extra={"connection_id": connection.id, "reason": reason})


def file_connection(*, shop: Shop, store_name: str) -> BackerKitConnection:
    """The connection named ``store_name``: an existing one, or a file-import connection made for it."""
    connection, _ = BackerKitConnection.objects.get_or_create(
        shop=shop, store_name=store_name, defaults={"kind": BackerKitConnection.Kind.FILE_IMPORT}
    )
    return connection
