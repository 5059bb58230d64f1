"""Applying changes to pushed orders (services/change_apply.py) against the Shopify simulator: each
kind, each guard, a conflict, and an earlier write whose answer was lost. The push and change lanes
run in the test's thread (as a worker runs them); real PostgreSQL, Redis and simulator.
End to end with real workers: tests/integrations/orders/test_changes_end_to_end.py."""

from decimal import Decimal

import pytest
from django.utils import timezone

from integrations.orders.models import ChangeSettings, OrderChange, PushRecord
from integrations.orders.services.change_decisions import approve, dismiss
from integrations.orders.services.change_lanes import run_change_lane
from integrations.orders.services.lanes import run_lane
from tests.support.change_shops import changes_shop, moved, order, sim_order, with_items
from tests.support.lane_records import LANE_BUDGET, import_into

ChangeState = OrderChange.State


@pytest.fixture
def shop(transactional_db, shopify_sim):
    made = changes_shop(shopify_sim)
    ChangeSettings.objects.create(shop=made, auto_items=True, auto_money=True, auto_cancel=True)
    return made


def pushed(shop, *orders) -> None:
    import_into(shop, list(orders))
    run_lane(shop_id=shop.id, budget_seconds=LANE_BUDGET)
    assert set(PushRecord.objects.filter(shop=shop).values_list("state", flat=True)) == {"pushed"}


def apply(shop, *versions) -> dict[str, OrderChange]:
    if versions:
        import_into(shop, list(versions))
    run_change_lane(shop_id=shop.id, budget_seconds=LANE_BUDGET)
    latest = {}
    for change in OrderChange.objects.filter(shop=shop).select_related("record").order_by("version"):
        latest[change.record.backerkit_order_id] = change
    return latest


def events(shopify_sim, shop, order_id: str, kind: str) -> int:
    return sum(1 for e in sim_order(shopify_sim, shop.domain, order_id)["events"] if e["kind"] == kind)


def test_an_address_change_is_applied_with_orderupdate_and_the_record_follows(shop, shopify_sim):
    pushed(shop, order("bk-1"), order("bk-2"))

    changes = apply(shop, moved("bk-1", city="Shelbyville"))

    assert changes["bk-1"].state == ChangeState.APPLIED, changes["bk-1"].reason
    assert sim_order(shopify_sim, shop.domain, "bk-1")["shipping_address"]["city"] == "Shelbyville"
    assert sim_order(shopify_sim, shop.domain, "bk-2")["shipping_address"]["city"] == "Springfield"
    record = PushRecord.objects.get(shop=shop, backerkit_order_id="bk-1")
    assert record.order_data["shipping_address"]["city"] == "Shelbyville"
    assert record.synced_fingerprint == changes["bk-1"].fingerprint
    # The same newer version again changes nothing: it is what Shopify has now.
    assert apply(shop, moved("bk-1", city="Shelbyville"))["bk-1"].version == 1


def test_tags_change_keeps_the_merchants_own_tags(shop, shopify_sim):
    pushed(shop, order("bk-1"))
    gid = PushRecord.objects.get(shop=shop).shopify_order_id
    shopify_sim.merchant_edit(shop.domain, gid, tags=[*sim_order(shopify_sim, shop.domain, "bk-1")["tags"], "VIP"])

    changes = apply(shop, order("bk-1", stripe_charge_ids=["ch_3MmlLrLkdIwHu7ix0snN0B15", "ch_late_addon"]))

    assert changes["bk-1"].state == ChangeState.APPLIED, changes["bk-1"].reason
    tags = sim_order(shopify_sim, shop.domain, "bk-1")["tags"]
    assert "ch_late_addon" in tags and "VIP" in tags


def test_an_added_item_is_edited_in_with_the_push_price_rule_and_the_explanation_recomputed(shop, shopify_sim):
    pushed(shop, order("bk-1"))

    newer = with_items("bk-1", [("GAME-CORE", 1, "60.00"), ("DICE-METAL", 2, "15.00"), ("EXP-FROST", 1, "25.00")])
    changes = apply(shop, newer)

    change = changes["bk-1"]
    assert change.state == ChangeState.APPLIED, change.reason
    assert sim_order(shopify_sim, shop.domain, "bk-1")["current_quantities"] == {
        "GAME-CORE": 1, "DICE-METAL": 2, "EXP-FROST": 1, "Taxes": 1
    }  # fmt: skip
    record = PushRecord.objects.get(shop=shop)
    # Shopify prices the new items (30.00 for EXP-FROST): 60 + 30 + 30 + 10 shipping + 5.44 taxes.
    assert record.shopify_total == Decimal("135.44")
    assert record.expected_financial_status == "PARTIALLY_PAID" and "45.00 USD stays outstanding" in record.explanation
    assert change.explanation == record.explanation
    assert events(shopify_sim, shop, "bk-1", "edit") == 1


def test_a_late_add_on_paid_in_backerkit_is_recorded_as_a_manual_payment(shop, shopify_sim):
    pushed(shop, order("bk-1"))
    newer = with_items("bk-1", [("GAME-CORE", 1, "60.00"), ("DICE-METAL", 2, "15.00")], amount_paid="105.44",
                       add_ons_amount="30.00")  # fmt: skip

    change = apply(shop, newer)["bk-1"]

    assert change.state == ChangeState.APPLIED, change.reason
    shopify = sim_order(shopify_sim, shop.domain, "bk-1")
    assert (shopify["current_total"], shopify["net_payment"], shopify["outstanding"]) == ("105.44", "105.44", "0.00")
    record = PushRecord.objects.get(shop=shop)
    assert record.financial_status == "PAID" and record.amount_paid == Decimal("105.44")


def test_a_partial_refund_in_backerkit_is_recorded_as_a_refund_moving_no_money(shop, shopify_sim):
    pushed(shop, order("bk-1"))

    change = apply(shop, order("bk-1", amount_paid="80.44"))["bk-1"]

    assert change.state == ChangeState.APPLIED, change.reason
    shopify = sim_order(shopify_sim, shop.domain, "bk-1")
    assert shopify["net_payment"] == "80.44" and len(shopify["refunds"]) == 1


def test_with_transaction_data_off_a_money_change_records_no_money(shop, shopify_sim):
    shop.include_transaction_data = False
    shop.save()
    pushed(shop, order("bk-1"))

    change = apply(shop, order("bk-1", amount_paid="80.44"))["bk-1"]

    assert change.state == ChangeState.APPLIED and "no payment recorded" in change.reason
    assert sim_order(shopify_sim, shop.domain, "bk-1")["refunds"] == []


def test_a_cancellation_cancels_with_restock_without_notifying_or_refunding_what_shopify_never_took(shop, shopify_sim):
    pushed(shop, order("bk-1"), order("bk-2"))

    changes = apply(shop, order("bk-1", status="refunded", amount_paid="0.00"), order("bk-2", status="canceled"))

    for order_id in ("bk-1", "bk-2"):
        assert changes[order_id].state == ChangeState.APPLIED, changes[order_id].reason
        assert sim_order(shopify_sim, shop.domain, order_id)["cancelled_at"]
    assert sim_order(shopify_sim, shop.domain, "bk-1")["net_payment"] == "0.00"  # BackerKit refunded it all
    assert sim_order(shopify_sim, shop.domain, "bk-2")["net_payment"] == "90.44"  # as BackerKit: still paid


def test_an_order_the_warehouse_accepted_needs_attention_then_the_merchant_applies_it_anyway(shop, shopify_sim):
    pushed(shop, order("bk-1"))
    gid = PushRecord.objects.get(shop=shop).shopify_order_id
    shopify_sim.accept_by_service(shop.domain, gid.rsplit("/", 1)[1])

    change = apply(shop, moved("bk-1", updated_at="2026-12-01T09:30:00Z"))["bk-1"]

    assert change.state == ChangeState.NEEDS_ATTENTION
    assert change.reason == (
        "Address changed in BackerKit on 1 Dec 2026, after the warehouse accepted the order: contact the warehouse."
    )
    assert sim_order(shopify_sim, shop.domain, "bk-1")["shipping_address"]["city"] == "Springfield"

    approve(shop_id=shop.id, change_id=change.id)
    change = apply(shop)["bk-1"]
    assert change.state == ChangeState.APPLIED and change.resolution == "Applied anyway by the merchant"
    assert sim_order(shopify_sim, shop.domain, "bk-1")["shipping_address"]["city"] == "Shelbyville"


def test_a_fulfilled_line_stops_an_items_change_and_dismissing_leaves_the_order_alone(shop, shopify_sim):
    pushed(shop, order("bk-1"))
    gid = PushRecord.objects.get(shop=shop).shopify_order_id
    shopify_sim.fulfil(shop.domain, gid.rsplit("/", 1)[1], line_items=[{"sku": "DICE-METAL", "quantity": 1}])

    newer = with_items("bk-1", [("GAME-CORE", 1, "60.00")])
    change = apply(shop, newer)["bk-1"]

    assert change.state == ChangeState.NEEDS_ATTENTION and "after the order was fulfilled" in change.reason
    dismiss(shop_id=shop.id, change_id=change.id)
    change.refresh_from_db()
    assert change.state == ChangeState.DISMISSED
    assert events(shopify_sim, shop, "bk-1", "edit") == 0


def test_a_field_the_merchant_edited_in_shopify_is_a_conflict_with_both_values(shop, shopify_sim):
    pushed(shop, order("bk-1"))
    gid = PushRecord.objects.get(shop=shop).shopify_order_id
    address = {**sim_order(shopify_sim, shop.domain, "bk-1")["shipping_address"]}
    shopify_sim.merchant_edit(shop.domain, gid, shippingAddress={"city": "Capital City"})

    change = apply(shop, moved("bk-1", city="Shelbyville"))["bk-1"]

    assert change.state == ChangeState.CONFLICT
    assert change.conflict == [{"field": "address.city", "ours": "Shelbyville", "shopify": "Capital City"}]
    assert sim_order(shopify_sim, shop.domain, "bk-1")["shipping_address"]["city"] == "Capital City"

    approve(shop_id=shop.id, change_id=change.id)  # "Keep BackerKit's"
    change = apply(shop)["bk-1"]
    assert change.state == ChangeState.APPLIED and change.resolution == "BackerKit's value kept by the merchant"
    assert sim_order(shopify_sim, shop.domain, "bk-1")["shipping_address"]["city"] == "Shelbyville"
    assert address["city"] == "Springfield"


def test_a_write_whose_answer_was_lost_is_read_back_and_never_sent_twice(shop, shopify_sim):
    pushed(shop, order("bk-1"))
    record = PushRecord.objects.get(shop=shop)
    import_into(shop, [moved("bk-1", city="Shelbyville")])
    change = OrderChange.objects.get(record=record)
    # A lane sent the orderUpdate, Shopify applied it, then the lane died before writing the outcome.
    update = "mutation($input: OrderInput!) { orderUpdate(input: $input) { userErrors { message } } }"
    landed = {"input": {"id": record.shopify_order_id, "shippingAddress": {"city": "Shelbyville"}}}
    shopify_sim.graphql(shop.domain, shop.access_token, update, landed)
    OrderChange.objects.filter(id=change.id).update(last_sent_at=timezone.now(), attempts=1)
    calls = shopify_sim.counters().get("order_update_calls", 0)

    change = apply(shop)["bk-1"]

    assert change.state == ChangeState.APPLIED
    assert shopify_sim.counters().get("order_update_calls", 0) == calls  # read back: nothing resent


def shipping_lines(shopify_sim, shop, order_id: str) -> list[tuple[str, str, bool]]:
    return [
        (s["title"], s["price"], s["removed"]) for s in sim_order(shopify_sim, shop.domain, order_id)["shipping_lines"]
    ]


def taxes_items(shopify_sim, shop, order_id: str) -> list[str]:
    return [line["unit_price"] for line in sim_order(shopify_sim, shop.domain, order_id)["line_items"]
            if line["title"] == "Taxes"]  # fmt: skip


def test_changed_shipping_is_applied_in_the_edit_and_the_backers_payment_recorded(shop, shopify_sim):
    pushed(shop, order("bk-1"))

    change = apply(shop, moved("bk-1", shipping_amount="12.00", amount_paid="92.44"))["bk-1"]

    assert change.state == ChangeState.APPLIED, change.reason
    # Shopify edits a shipping fee by removing it and adding a new one: the old line stays, removed.
    assert shipping_lines(shopify_sim, shop, "bk-1") == [("Shipping", "10.00", True), ("Shipping", "12.00", False)]
    shopify = sim_order(shopify_sim, shop.domain, "bk-1")
    assert shopify["shipping_address"]["city"] == "Shelbyville"
    assert (shopify["current_total"], shopify["net_payment"], shopify["outstanding"]) == ("92.44", "92.44", "0.00")
    record = PushRecord.objects.get(shop=shop)
    assert record.shopify_total == Decimal("92.44") and record.expected_financial_status == "PAID"
    assert events(shopify_sim, shop, "bk-1", "edit") == 1


def test_changed_taxes_replace_the_one_taxes_item_in_the_same_edit_as_the_items(shop, shopify_sim):
    pushed(shop, order("bk-1"))

    newer = with_items("bk-1", [("GAME-CORE", 1, "60.00"), ("DICE-METAL", 2, "15.00")],
                       taxes=[{"name": "State Tax", "amount": "7.00"}])  # fmt: skip
    change = apply(shop, newer)["bk-1"]

    assert change.state == ChangeState.APPLIED, change.reason
    assert taxes_items(shopify_sim, shop, "bk-1") == ["5.44", "7.00"]  # the old one at quantity 0
    shopify = sim_order(shopify_sim, shop.domain, "bk-1")
    assert shopify["current_quantities"]["DICE-METAL"] == 2 and shopify["current_total"] == "107.00"
    assert events(shopify_sim, shop, "bk-1", "edit") == 1  # items and taxes: one edit session
    record = PushRecord.objects.get(shop=shop)
    # 60 + 30 + 10 shipping + 7.00 taxes = 107.00 against 90.44 paid.
    assert record.expected_financial_status == "PARTIALLY_PAID" and "16.56 USD stays outstanding" in record.explanation


def test_shipping_removed_in_backerkit_removes_the_shipping_line(shop, shopify_sim):
    pushed(shop, order("bk-1"))

    change = apply(shop, order("bk-1", shipping_amount="0.00"))["bk-1"]

    assert change.state == ChangeState.APPLIED, change.reason
    assert shipping_lines(shopify_sim, shop, "bk-1") == [("Shipping", "10.00", True)]
    assert sim_order(shopify_sim, shop.domain, "bk-1")["current_total"] == "80.44"


def test_taxes_sent_as_tax_lines_cannot_be_edited_and_need_attention_in_the_merchants_words(shop, shopify_sim):
    shop.tax_mode = "tax_lines"
    shop.save()
    pushed(shop, order("bk-1"))

    change = apply(shop, moved("bk-1", taxes=[{"name": "State Tax", "amount": "7.00"}]))["bk-1"]

    assert change.state == ChangeState.NEEDS_ATTENTION
    assert "The taxes changed in BackerKit (5.44 to 7.00), but this store's taxes were sent as Shopify tax lines" \
        in change.reason  # fmt: skip
    assert sim_order(shopify_sim, shop.domain, "bk-1")["shipping_address"]["city"] == "Springfield"
    approve(shop_id=shop.id, change_id=change.id)  # the merchant changes the taxes in Shopify, applies the rest
    change = apply(shop)["bk-1"]
    assert change.state == ChangeState.APPLIED and change.overrides == ["charges"]
    assert sim_order(shopify_sim, shop.domain, "bk-1")["shipping_address"]["city"] == "Shelbyville"
    assert events(shopify_sim, shop, "bk-1", "edit") == 0


def test_shipping_the_merchant_changed_in_shopify_is_a_conflict_with_both_values(shop, shopify_sim):
    pushed(shop, order("bk-1"))
    begin = shopify_sim.graphql(shop.domain, shop.access_token, EDIT_BEGIN,
                                {"id": PushRecord.objects.get(shop=shop).shopify_order_id}).json()  # fmt: skip
    calculated = begin["data"]["orderEditBegin"]["calculatedOrder"]
    line = calculated["shippingLines"][0]["id"]
    shopify_sim.graphql(shop.domain, shop.access_token, EDIT_REMOVE_SHIPPING, {"id": calculated["id"], "line": line})
    shopify_sim.graphql(shop.domain, shop.access_token, EDIT_COMMIT, {"id": calculated["id"]})

    change = apply(shop, order("bk-1", shipping_amount="12.00"))["bk-1"]

    assert change.state == ChangeState.CONFLICT
    assert change.conflict == [{"field": "items.shipping_amount", "ours": "12.00", "shopify": "0"}]


def test_a_shipping_edit_whose_commit_answer_was_lost_is_read_back_not_edited_twice(shop, shopify_sim):
    pushed(shop, order("bk-1"))
    shopify_sim.fault(shop.domain, lose_answer_after=["orderEditCommit"])

    first = apply(shop, order("bk-1", shipping_amount="12.00"))["bk-1"]
    assert first.state == ChangeState.PENDING  # ambiguous: tried again after reading the order back
    OrderChange.objects.filter(id=first.id).update(not_before=None)
    change = apply(shop)["bk-1"]

    assert change.state == ChangeState.APPLIED, change.reason
    assert events(shopify_sim, shop, "bk-1", "edit") == 1
    assert shipping_lines(shopify_sim, shop, "bk-1") == [("Shipping", "10.00", True), ("Shipping", "12.00", False)]


EDIT_BEGIN = """mutation($id: ID!) { orderEditBegin(id: $id) {
  calculatedOrder { id shippingLines { id } } userErrors { message } } }"""
EDIT_REMOVE_SHIPPING = """mutation($id: ID!, $line: ID!) { orderEditRemoveShippingLine(id: $id, shippingLineId: $line) {
  userErrors { message } } }"""
EDIT_COMMIT = """mutation($id: ID!) { orderEditCommit(id: $id) { userErrors { message } } }"""


def test_a_payment_change_writes_only_what_it_owns_and_keeps_the_merchants_address_edit(shop, shopify_sim):
    pushed(shop, order("bk-1"))
    gid = PushRecord.objects.get(shop=shop).shopify_order_id
    shopify_sim.merchant_edit(shop.domain, gid, shippingAddress={"city": "Capital City"})

    change = apply(shop, order("bk-1", amount_paid="80.44"))["bk-1"]

    assert change.state == ChangeState.APPLIED, change.reason
    shopify = sim_order(shopify_sim, shop.domain, "bk-1")
    assert shopify["shipping_address"]["city"] == "Capital City" and shopify["net_payment"] == "80.44"
    assert {"key": "Total Paid by Backer", "value": "80.44 USD"} in shopify["custom_attributes"]


def test_an_order_reopened_in_backerkit_after_its_cancellation_needs_attention(shop, shopify_sim):
    pushed(shop, order("bk-1"))
    canceled = order("bk-1", status="canceled", updated_at="2026-12-01T00:00:00Z")
    assert apply(shop, canceled)["bk-1"].state == ChangeState.APPLIED

    change = apply(shop, order("bk-1", status="locked", updated_at="2026-12-02T00:00:00Z"))["bk-1"]

    assert change.state == ChangeState.NEEDS_ATTENTION and "cannot be reopened" in change.reason


def test_a_revoked_token_pauses_the_changes_and_disconnects_the_shop_for_reconnect(shop, shopify_sim):
    pushed(shop, order("bk-1"), order("bk-2"))
    shopify_sim.revoke(shop.domain)

    changes = apply(shop, moved("bk-1"), moved("bk-2"))

    shop.refresh_from_db()
    assert shop.status == shop.Status.DISCONNECTED and shop.disconnected_reason
    assert {c.state for c in changes.values()} == {ChangeState.PENDING}  # paused: neither failed nor lost
    assert shopify_sim.counters().get("order_update_calls", 0) == 0
    assert apply(shop)["bk-1"].state == ChangeState.PENDING  # no lane runs for a disconnected shop
