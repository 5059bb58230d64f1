"""OrderChanges built straight in the database, for page tests that need changes in every state."""

from integrations.orders.models import OrderChange, PushRecord

ChangeState = OrderChange.State

ADDRESS_DIFF = [{"field": "address.city", "old": "Springfield", "new": "Shelbyville"}]


def change(record: PushRecord, *, kinds=("address",), state=ChangeState.PENDING, diff=None, version=None,
           **fields) -> OrderChange:  # fmt: skip
    version = version or (record.changes.count() + 1)
    defaults = {
        "fields": [row["field"] for row in (diff or ADDRESS_DIFF)],
        "fingerprint": f"fp-{record.id}-{version}",
        "sent_by": "File moved.jsonl",
        "store_name": record.connection.store_name,
        "order_data": record.order_data,
    }
    return OrderChange.objects.create(shop_id=record.shop_id, record=record, version=version, kinds=list(kinds),
                                      diff=diff or ADDRESS_DIFF, state=state, **{**defaults, **fields})  # fmt: skip


WAREHOUSE = "Address changed in BackerKit on 1 Dec 2026, after the warehouse accepted the order: contact the warehouse."


def changes_in_every_state(shop, conn, record_factory) -> dict[str, OrderChange]:
    """One pushed order per state of change: pending address, items waiting for approval, a
    cancellation waiting, an address change with the warehouse, a conflict, an applied one."""
    made = {}
    specs = {
        "pending": dict(kinds=("address",), state=ChangeState.PENDING),
        "items": dict(kinds=("items",), state=ChangeState.AWAITING_APPROVAL,
                      diff=[{"field": "items.DICE-METAL", "old": 1, "new": 2}]),
        "cancel": dict(kinds=("cancel",), state=ChangeState.AWAITING_APPROVAL,
                       diff=[{"field": "status", "old": "locked", "new": "canceled"}]),
        "warehouse": dict(kinds=("address",), state=ChangeState.NEEDS_ATTENTION, reason=WAREHOUSE),
        "conflict": dict(kinds=("address",), state=ChangeState.CONFLICT,
                         reason="Edited in Shopify since this app last wrote the order (address.city).",
                         conflict=[{"field": "address.city", "ours": "Shelbyville", "shopify": "Capital City"}]),
        "applied": dict(kinds=("address",), state=ChangeState.APPLIED),
    }  # fmt: skip
    for position, (name, spec) in enumerate(specs.items(), start=1):
        rec = record_factory(shop, conn, f"bk-{name}", PushRecord.State.PUSHED,
                             shopify_order_name=f"#{1000 + position}")  # fmt: skip
        made[name] = change(rec, **spec)
    return made


def many_pending_changes(shop, conn, count: int) -> list[OrderChange]:
    """``count`` pushed orders (bk-0001, bk-0002, ...) with one pending address change each, made in
    two bulk inserts: the preview's paging needs more changes than a page holds."""
    records = PushRecord.objects.bulk_create(
        PushRecord(shop=shop, connection=conn, backerkit_order_id=f"bk-{n:04d}", backer_id=f"backer-{n:04d}",
                   state=PushRecord.State.PUSHED, currency="USD", amount_paid="90.00",
                   order_data={"id": f"bk-{n:04d}"}, shopify_order_id=f"gid://shopify/Order/{n}",
                   shopify_order_name=f"#{1000 + n}")
        for n in range(1, count + 1)
    )  # fmt: skip
    return OrderChange.objects.bulk_create(
        OrderChange(shop_id=shop.id, record=rec, version=1, kinds=["address"], diff=ADDRESS_DIFF,
                    fields=["address.city"], fingerprint=f"fp-{rec.id}-1", sent_by="File moved.jsonl",
                    store_name=conn.store_name, order_data=rec.order_data, state=ChangeState.PENDING)
        for rec in records
    )  # fmt: skip
