"""Reads of the push domain: the counts every page and command starts from, and the report.

The rest is in modules named for what they read: orders (the list and one order), progress (the
current push), metrics (a store's key numbers), connections (with their pulls), preview (the
waiting orders), paging (the page arithmetic they share).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count

from integrations.orders.models import PushRecord
from integrations.orders.selectors.changes import latest_changes, sync_state


@dataclass(frozen=True)
class ReportRow:
    backerkit_order_id: str
    state: str
    shopify_order_name: str
    financial_status: str
    reason: str
    # After the push (selectors/changes.py): in_step, change_pending, waiting_for_approval,
    # change_applied, needs_attention, conflict; "" for an order not pushed.
    sync_state: str = ""
    sync_reason: str = ""


def report_rows(*, shop_id: int) -> Iterator[ReportRow]:
    rows = (
        PushRecord.objects.filter(shop_id=shop_id)
        .order_by("id")
        .values_list("id", "backerkit_order_id", "state", "shopify_order_name", "financial_status", "last_error")
    )
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=2000):
        chunk.append(row)
        if len(chunk) == 2000:
            yield from _report_chunk(chunk)
            chunk = []
    yield from _report_chunk(chunk)


def _report_chunk(rows: list[tuple]) -> Iterator[ReportRow]:
    latest = latest_changes(record_ids=[row[0] for row in rows if row[2] == PushRecord.State.PUSHED])
    for record_id, order_id, state, name, status, error in rows:
        synced, why = sync_state(record_state=state, change=latest.get(record_id))
        yield ReportRow(order_id, state, name, status, "" if state == PushRecord.State.PUSHED else error, synced, why)


def state_counts(*, shop_id: int) -> dict[str, int]:
    counts = dict.fromkeys(PushRecord.State.values, 0)
    for row in PushRecord.objects.filter(shop_id=shop_id).values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts


def financial_status_counts(*, shop_id: int) -> dict[str, int]:
    rows = (
        PushRecord.objects.filter(shop_id=shop_id, state=PushRecord.State.PUSHED)
        .values("financial_status")
        .annotate(n=Count("id"))
    )
    return {row["financial_status"]: row["n"] for row in rows}
