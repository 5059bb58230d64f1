"""After the push, end to end: `push_orders` with a file of newer versions applies each change
through real Celery workers (PostgreSQL, Redis, the Shopify simulator) and waits until each is final;
`push_report --json` then gives each order's sync state. One file holds every kind of change, an
order the warehouse accepted and one the merchant edited in Shopify meanwhile."""

import json
from io import StringIO

from django.core.management import call_command

from integrations.orders.models import ChangeSettings, OrderChange, PushRecord
from tests.support.campaign_files import write_jsonl
from tests.support.change_shops import changes_shop, moved, order, sim_order, with_items

ChangeState = OrderChange.State


def push_file(shop, path) -> str:
    out = StringIO()
    call_command("push_orders", shop.domain, str(path), "--connection", "Skyforge Store", "--timeout", "90",
                 stdout=out)  # fmt: skip
    return out.getvalue()


def test_a_file_of_newer_versions_applies_every_kind_and_stops_at_each_guard(
    transactional_db, shopify_sim, push_workers, tmp_path
):
    shop = changes_shop(shopify_sim)
    ChangeSettings.objects.create(shop=shop, auto_items=True, auto_money=True)  # cancellations still ask first
    ids = ["bk-address", "bk-items", "bk-money", "bk-cancel", "bk-warehouse", "bk-merchant", "bk-same"]
    push_file(shop, write_jsonl(tmp_path / "first.jsonl", [order(i) for i in ids]))
    assert set(PushRecord.objects.filter(shop=shop).values_list("state", flat=True)) == {"pushed"}
    gid = dict(PushRecord.objects.filter(shop=shop).values_list("backerkit_order_id", "shopify_order_id"))
    shopify_sim.accept_by_service(shop.domain, gid["bk-warehouse"].rsplit("/", 1)[1])
    shopify_sim.merchant_edit(shop.domain, gid["bk-merchant"], shippingAddress={"city": "Capital City"})

    newer = [
        moved("bk-address", updated_at="2026-12-01T10:00:00Z"),
        with_items("bk-items", [("GAME-CORE", 1, "60.00"), ("DICE-METAL", 2, "15.00")]),
        order("bk-money", amount_paid="80.44"),
        order("bk-cancel", status="canceled"),
        moved("bk-warehouse", updated_at="2026-12-01T10:00:00Z"),
        moved("bk-merchant"),
        order("bk-same", note="only the note changed"),
    ]
    output = push_file(shop, write_jsonl(tmp_path / "newer.jsonl", newer))

    assert "6 newer versions of pushed orders" in output
    states = {c.record.backerkit_order_id: c.state for c in OrderChange.objects.filter(shop=shop)}
    assert states == {
        "bk-address": ChangeState.APPLIED, "bk-items": ChangeState.APPLIED, "bk-money": ChangeState.APPLIED,
        "bk-cancel": ChangeState.AWAITING_APPROVAL, "bk-warehouse": ChangeState.NEEDS_ATTENTION,
        "bk-merchant": ChangeState.CONFLICT,
    }  # fmt: skip
    assert sim_order(shopify_sim, shop.domain, "bk-address")["shipping_address"]["city"] == "Shelbyville"
    assert sim_order(shopify_sim, shop.domain, "bk-items")["current_quantities"]["DICE-METAL"] == 2
    assert sim_order(shopify_sim, shop.domain, "bk-money")["net_payment"] == "80.44"
    assert not sim_order(shopify_sim, shop.domain, "bk-cancel")["cancelled_at"]
    assert sim_order(shopify_sim, shop.domain, "bk-warehouse")["shipping_address"]["city"] == "Springfield"
    assert sim_order(shopify_sim, shop.domain, "bk-merchant")["shipping_address"]["city"] == "Capital City"
    assert "bk-warehouse: Address changed in BackerKit on 1 Dec 2026, after the warehouse accepted" in output

    # Re-importing the first file changes nothing: every version in it is older.
    again = push_file(shop, tmp_path / "first.jsonl")
    assert "newer versions" not in again and OrderChange.objects.filter(shop=shop).count() == 6

    out = StringIO()
    call_command("push_report", shop.domain, "--json", stdout=out)
    sync = {row["backerkit_order_id"]: row["sync_state"] for row in map(json.loads, out.getvalue().splitlines())}
    assert sync == {
        "bk-address": "change_applied", "bk-items": "change_applied", "bk-money": "change_applied",
        "bk-cancel": "waiting_for_approval", "bk-warehouse": "needs_attention", "bk-merchant": "conflict",
        "bk-same": "in_step",
    }  # fmt: skip
