"""Newer versions of pushed orders coming in (services/change_intake.py through the import): each
becomes one versioned OrderChange, the same or an older version changes nothing, a re-imported old
file changes nothing, a newer version supersedes a waiting one. No Shopify here: the intake is the unit."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from integrations.orders.models import ChangeSettings, OrderChange, PushRecord
from integrations.orders.selectors import report_rows
from integrations.orders.services.imports import file_connection, import_orders
from tests.support.push_records import plain_shop

pytestmark = pytest.mark.django_db

State = PushRecord.State
ChangeState = OrderChange.State
ORDERS = Path(__file__).resolve().parents[3] / "fixtures" / "backerkit" / "orders"


def order(order_id: str = "bk-1", **changes) -> dict:
    return {**json.loads((ORDERS / "paid.json").read_text()), "id": order_id, **changes}


def moved(order_id: str = "bk-1", city: str = "Shelbyville", **changes) -> dict:
    data = order(order_id, **changes)
    return {**data, "shipping_address": {**data["shipping_address"], "city": city}}


def take_in(shop, entries: list, *, label: str = "campaign.jsonl"):
    connection = file_connection(shop=shop, store_name="Skyforge Store")
    return import_orders(shop=shop, connection=connection, entries=enumerate(entries, start=1), source="file",
                         label=label, start_push=False)  # fmt: skip


def pushed_shop(*orders, shop=None):
    shop = shop or plain_shop()
    take_in(shop, list(orders))
    PushRecord.objects.filter(shop=shop).update(state=State.PUSHED, shopify_order_id="gid://shopify/Order/1",
                                                shopify_order_name="#1001")  # fmt: skip
    return shop


def changes(shop) -> list[OrderChange]:
    return list(OrderChange.objects.filter(shop=shop).order_by("id"))


def test_a_newer_version_of_a_pushed_order_becomes_one_pending_change():
    shop = pushed_shop(order())

    run = take_in(shop, [moved()], label="moved.jsonl")

    (change,) = changes(shop)
    assert (change.version, change.state, change.kinds, change.fields) == (1, "pending", ["address"], ["address.city"])
    assert change.diff == [{"field": "address.city", "old": "Springfield", "new": "Shelbyville"}]
    assert change.sent_by == "File moved.jsonl" and change.import_run == run
    assert (run.changes, run.already_known, run.accepted) == (1, 0, 0)
    assert PushRecord.objects.get(shop=shop).order_data["shipping_address"]["city"] == "Springfield"  # Shopify's


def test_the_same_order_again_or_only_its_note_changed_is_no_change():
    shop = pushed_shop(order())

    run = take_in(shop, [order(note="new note", survey_answers=[{"question": "Size?", "answer": "XL"}])])

    assert changes(shop) == [] and (run.changes, run.already_known) == (0, 1)


def test_items_money_and_cancellations_wait_for_approval_until_the_merchant_turns_them_on():
    shop = pushed_shop(order("bk-1"), order("bk-2"), order("bk-3"))

    take_in(shop, [order("bk-1", amount_paid="100.00"), order("bk-2", status="canceled"),
                   moved("bk-3")])  # fmt: skip

    states = {c.record.backerkit_order_id: (c.kinds, c.state) for c in changes(shop)}
    assert states == {"bk-1": (["money"], "awaiting_approval"), "bk-2": (["cancel"], "awaiting_approval"),
                      "bk-3": (["address"], "pending")}  # fmt: skip

    ChangeSettings.objects.create(shop=shop, auto_cancel=True)
    take_in(shop, [order("bk-2", status="refunded")])
    assert changes(shop)[-1].state == "pending"


def test_an_older_updated_at_never_overwrites_a_newer_change():
    shop = pushed_shop(order(updated_at="2026-11-01T00:00:00Z"))
    take_in(shop, [moved(updated_at="2026-11-03T00:00:00Z")])

    run = take_in(shop, [moved(city="Ogdenville", updated_at="2026-11-02T00:00:00Z")])

    assert [c.fields for c in changes(shop)] == [["address.city"]] and run.changes == 0
    assert changes(shop)[0].diff[0]["new"] == "Shelbyville"


def test_re_importing_the_old_file_changes_nothing():
    shop = pushed_shop(order())
    take_in(shop, [moved()])
    OrderChange.objects.filter(shop=shop).update(state=ChangeState.APPLIED)
    record = PushRecord.objects.get(shop=shop)
    record.order_data = changes(shop)[0].order_data  # as the apply leaves it
    record.synced_fingerprint = changes(shop)[0].fingerprint
    record.save()

    run = take_in(shop, [order()], label="old.jsonl")

    assert len(changes(shop)) == 1 and run.changes == 0


def test_a_newer_version_supersedes_the_waiting_change_and_carries_the_whole_difference():
    shop = pushed_shop(order())
    take_in(shop, [moved()])

    take_in(shop, [moved(city="Ogdenville", amount_paid="100.00")])

    first, second = changes(shop)
    assert first.state == "superseded" and "version 2" in first.reason
    assert (second.version, second.kinds, second.state) == (2, ["address", "money"], "awaiting_approval")
    assert second.diff[0] == {"field": "address.city", "old": "Springfield", "new": "Ogdenville"}


def test_push_report_gives_each_orders_sync_state():
    shop = pushed_shop(order("bk-1"), order("bk-2"), order("bk-3"))
    take_in(shop, [moved("bk-1"), order("bk-2", status="canceled")])
    OrderChange.objects.filter(record__backerkit_order_id="bk-1").update(state=ChangeState.NEEDS_ATTENTION,
                                                                         reason="contact the warehouse")  # fmt: skip

    rows = {row.backerkit_order_id: (row.sync_state, row.sync_reason) for row in report_rows(shop_id=shop.id)}

    assert rows == {"bk-1": ("needs_attention", "contact the warehouse"), "bk-2": ("waiting_for_approval", ""),
                    "bk-3": ("in_step", "")}  # fmt: skip


def test_the_dry_run_lists_what_would_change_order_by_order_and_writes_nothing(sim_shop, tmp_path):
    shop = pushed_shop(order("bk-1"), order("bk-2"), shop=sim_shop)
    path = tmp_path / "newer.jsonl"
    path.write_text("\n".join(json.dumps(o) for o in [moved("bk-1"), order("bk-2", amount_paid="95.00")]))
    out = StringIO()

    call_command("push_orders", shop.domain, str(path), "--connection", "Skyforge Store", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "Changes to orders already pushed (2; nothing sent):" in text
    assert "bk-1 (#1001): Address (address.city); applied automatically" in text
    assert "bk-2 (#1001): Payment (money.amount_paid); waits for your approval" in text
    assert "Shelbyville" not in text  # field names, never the customer's values
    assert changes(shop) == []
