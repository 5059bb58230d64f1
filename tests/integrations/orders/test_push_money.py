"""Paid and Partially Paid, checked against Shopify's own arithmetic: the simulator totals each
created order from its line items, shipping and tax lines and the transactions it recorded, as
Shopify does; those figures must agree with the push record and with what the backer paid. The
expected amounts come from the prices seeded in the store, not from the app's mapping."""

from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from integrations.orders.models import PushRecord
from tests.support.campaign_files import CATALOG, fixture_order, write_jsonl

SHOPIFY_PRICE = {v["sku"]: Decimal(v["price"]) for product in CATALOG for v in product["variants"]}
CASES = ["paid", "partially_paid", "overpaid", "several_taxes", "no_tax"]
ORDER_MONEY = """
query OrderMoney($id: ID!) {
  order(id: $id) {
    displayFinancialStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    totalOutstandingSet { shopMoney { amount } }
    transactions { kind status amountSet { shopMoney { amount } } }
  }
}
"""


def shopify_total(order: dict) -> Decimal:
    """What Shopify charges for this order: its prices, the shipping, the taxes (as one line)."""
    items = sum(SHOPIFY_PRICE[i["sku"]] * i["quantity"] for i in order["items"])
    return items + Decimal(order["shipping_amount"]) + sum(Decimal(t["amount"]) for t in order.get("taxes") or [])


def test_shopifys_own_total_outstanding_and_transaction_agree_with_the_record_and_the_backer(
    sim_shop, shopify_sim, push_workers, tmp_path
):
    orders = [fixture_order(case) for case in CASES]

    call_command("push_orders", sim_shop.domain, str(write_jsonl(tmp_path / "money.jsonl", orders)),
                 "--connection", "Skyforge Store", "--timeout", "90", stdout=StringIO())  # fmt: skip

    in_shopify = {o["source_identifier"]: o for o in shopify_sim.orders(sim_shop.domain)}
    assert sorted(in_shopify) == sorted(o["id"] for o in orders)
    for order in orders:
        record = PushRecord.objects.get(shop=sim_shop, backerkit_order_id=order["id"])
        check_money(order, in_shopify[order["id"]], record, shopify_sim=shopify_sim, sim_shop=sim_shop)
    # The expansion is 25.00 in the campaign and 30.00 in Shopify: that backer owes the 5.00.
    assert Decimal(in_shopify["bk-partially-paid"]["outstanding"]) == Decimal("5.00")


def check_money(order: dict, created: dict, record: PushRecord, *, shopify_sim, sim_shop) -> None:
    total, paid, case = shopify_total(order), Decimal(order["amount_paid"]), order["id"]

    assert Decimal(created["total"]) == total, case  # Shopify's arithmetic on what it stored
    assert record.shopify_total == total, case  # the record says what Shopify says
    assert record.amount_paid == paid, case
    [sale] = created["transactions"]
    assert (sale["kind"], sale["status"]) == ("SALE", "SUCCESS"), case
    assert Decimal(sale["amount"]) == min(paid, total), case  # what the backer paid, never more than the order
    assert Decimal(created["outstanding"]) == max(total - paid, Decimal(0)), case
    expected = "PAID" if paid >= total else "PARTIALLY_PAID"
    assert created["display_financial_status"] == record.financial_status == expected, case

    # The same figures through the Admin API, as a merchant's report would read them.
    answer = shopify_sim.graphql(sim_shop.domain, sim_shop.access_token, ORDER_MONEY, {"id": created["gid"]}).json()
    node = answer["data"]["order"]
    assert Decimal(node["totalPriceSet"]["shopMoney"]["amount"]) == total, case
    assert Decimal(node["totalOutstandingSet"]["shopMoney"]["amount"]) == max(total - paid, Decimal(0)), case
    assert [Decimal(t["amountSet"]["shopMoney"]["amount"]) for t in node["transactions"]] == [min(paid, total)], case
    assert node["displayFinancialStatus"] == expected, case
