"""A mixed campaign pushed end to end: file -> records -> real workers -> the Shopify simulator.

Real PostgreSQL, Redis and Celery worker processes; Shopify and BackerKit are their simulators
over HTTP on loopback. Each order must arrive once with the right money, status, tags and
address, or stop with a reason a merchant understands.
"""

from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.orders.services.pull import pull_connection
from tests.support.campaign_files import CATALOG, fixture_order, write_jsonl
from tests.support.processes import wait_for
from tests.support.shops import connected_shop

State = PushRecord.State

MIXED = ["paid", "partially_paid", "overpaid", "no_tax", "several_taxes", "nl_without_region", "region_by_name_au"]


def push_file(sim_shop, path, connection="Skyforge Store", *extra) -> str:
    out = StringIO()
    call_command("push_orders", sim_shop.domain, str(path), "--connection", connection, "--timeout", "90", *extra,
                 stdout=out)  # fmt: skip
    return out.getvalue()


def sim_orders_by_source(shopify_sim, sim_shop) -> dict[str, dict]:
    orders = shopify_sim.orders(sim_shop.domain)
    by_source: dict[str, dict] = {}
    for order in orders:
        assert order["source_identifier"] not in by_source, f"duplicate order for {order['source_identifier']}"
        by_source[order["source_identifier"]] = order
    return by_source


def attribute(order: dict, key: str) -> str | None:
    return next((a["value"] for a in order.get("custom_attributes") or [] if a["key"] == key), None)


def test_mixed_campaign_arrives_once_with_the_right_status_money_tags_and_address(
    sim_shop, shopify_sim, push_workers, tmp_path
):
    invalid = fixture_order("paid", id="bk-invalid", amount_paid="abc")
    path = write_jsonl(tmp_path / "campaign.jsonl", [fixture_order(c) for c in [*MIXED, "unknown_sku"]] + [invalid])

    output = push_file(sim_shop, path)

    records = {r.backerkit_order_id: r for r in PushRecord.objects.filter(shop=sim_shop)}
    pushed = sim_orders_by_source(shopify_sim, sim_shop)
    for case in MIXED:
        order_id = fixture_order(case)["id"]
        assert records[order_id].state == State.PUSHED, (case, records[order_id].last_error)
        assert order_id in pushed, case

    # Paid: Shopify's prices are covered by what the backer paid.
    paid = pushed[fixture_order("paid")["id"]]
    assert paid["display_financial_status"] == "PAID"
    assert attribute(paid, "Total Paid by Backer") == "90.44 USD"
    assert "482913" in paid["tags"] and "Skyforge Store" in paid["tags"]
    assert "ch_3MmlLrLkdIwHu7ix0snN0B15" in paid["tags"]
    assert records["bk-paid"].financial_status == "PAID"

    # Partially Paid: the expansion costs more in Shopify than in the campaign.
    partial_id = fixture_order("partially_paid")["id"]
    assert pushed[partial_id]["display_financial_status"] == "PARTIALLY_PAID"
    assert records[partial_id].financial_status == "PARTIALLY_PAID"
    assert records[partial_id].shopify_total > records[partial_id].amount_paid

    # Overpaid: the transaction is capped at the order total; the attribute keeps the full amount.
    overpaid = pushed[fixture_order("overpaid")["id"]]
    assert overpaid["display_financial_status"] == "PAID"
    assert attribute(overpaid, "Total Paid by Backer") == "110.44 USD"
    assert sum(Decimal(t["amount"]) for t in overpaid["transactions"]) <= Decimal(overpaid["total"])

    # Taxes: one line item for all of them, none without tax.
    several = pushed[fixture_order("several_taxes")["id"]]
    tax_lines = [li for li in several["line_items"] if li["title"] == "Taxes"]
    assert len(tax_lines) == 1 and Decimal(tax_lines[0]["unit_price"]) == Decimal("9.00")
    assert not [li for li in pushed[fixture_order("no_tax")["id"]]["line_items"] if li["title"] == "Taxes"]

    # Regions: none for NL, a name resolved to Shopify's code for AU.
    assert not pushed[fixture_order("nl_without_region")["id"]]["shipping_address"].get("provinceCode")
    assert pushed[fixture_order("region_by_name_au")["id"]]["shipping_address"]["provinceCode"] == "NSW"

    # Never pushed: notes and survey answers.
    assert "SECRET" not in repr(pushed)

    # Unknown SKU: needs attention with the merchant's reason, nothing sent.
    unknown_id = fixture_order("unknown_sku")["id"]
    assert records[unknown_id].state == State.NEEDS_ATTENTION
    assert "POSTER-PROMO" in records[unknown_id].last_error
    assert unknown_id not in pushed

    # Invalid input: refused with a message naming the order and the field.
    assert records["bk-invalid"].state == State.FAILED
    assert "bk-invalid" in records["bk-invalid"].last_error and "amount_paid" in records["bk-invalid"].last_error
    assert "needs attention: 1" in output and "failed: 1" in output


def test_the_same_file_imported_twice_creates_each_order_once(sim_shop, shopify_sim, push_workers, tmp_path):
    path = write_jsonl(tmp_path / "campaign.jsonl", [fixture_order(c) for c in MIXED])
    push_file(sim_shop, path)

    output = push_file(sim_shop, path)

    assert len(shopify_sim.orders(sim_shop.domain)) == len(MIXED)
    assert PushRecord.objects.filter(shop=sim_shop, state=State.PUSHED).count() == len(MIXED)
    assert f"{len(MIXED)} already pushed or queued" in output


def test_currency_mismatch_stops_the_connection_before_any_order_is_sent(sim_shop, shopify_sim, push_workers, tmp_path):
    path = write_jsonl(tmp_path / "eur.jsonl", [fixture_order("currency_mismatch")])

    push_file(sim_shop, path, "Euro Store")

    connection = BackerKitConnection.objects.get(shop=sim_shop, store_name="Euro Store")
    assert connection.status == BackerKitConnection.Status.STOPPED
    assert "EUR" in connection.stopped_reason and "USD" in connection.stopped_reason
    record = PushRecord.objects.get(shop=sim_shop)
    assert record.state == State.NEEDS_ATTENTION and "EUR" in record.last_error
    assert shopify_sim.orders(sim_shop.domain) == []


def test_without_transaction_data_orders_are_paid_with_no_transaction_and_no_total_paid(
    sim_shop, shopify_sim, push_workers, tmp_path
):
    sim_shop.include_transaction_data = False
    sim_shop.save()
    path = write_jsonl(tmp_path / "campaign.jsonl", [fixture_order("partially_paid")])

    push_file(sim_shop, path)

    order = shopify_sim.orders(sim_shop.domain)[0]
    assert order["display_financial_status"] == "PAID"
    assert not order["transactions"]
    assert attribute(order, "Total Paid by Backer") is None


def test_a_pull_from_backerkit_gives_the_same_result_as_the_file_import(
    sim_shop, shopify_sim, backerkit_sim, push_workers, tmp_path
):

    campaign = [fixture_order(c) for c in [*MIXED, "unknown_sku"]]
    backerkit_sim.state.add_project(id="skyforge", api_key="bk-test-key", currency="USD")
    backerkit_sim.state.add_orders("skyforge", campaign)
    connection = BackerKitConnection.objects.create(
        shop=sim_shop, store_name="Skyforge Store", project="skyforge", api_key="bk-test-key", currency="USD"
    )
    other = connected_shop(shopify_sim, domain="file-import-store.myshopify.com")
    shopify_sim.seed_products(other.domain, CATALOG)

    pull_connection(connection_id=connection.id)
    push_file(other, write_jsonl(tmp_path / "campaign.jsonl", campaign))
    _wait_final(sim_shop)

    def outcome(s):
        return sorted(PushRecord.objects.filter(shop=s).values_list("backerkit_order_id", "state", "financial_status",
                                                                     "last_error"))  # fmt: skip

    assert outcome(sim_shop) == outcome(other)


def _wait_final(sim_shop) -> None:
    wait_for(
        lambda: not PushRecord.objects.filter(shop=sim_shop).exclude(state__in=PushRecord.FINAL_STATES).exists(),
        timeout=90,
        what="every record to be final",
    )
