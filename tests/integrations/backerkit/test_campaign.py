"""The sample campaign: deterministic, contract-valid, and covering the cases the demo shows."""

from decimal import Decimal

from integrations.backerkit.orders import validate_order
from integrations.backerkit.simulator.campaign import UNKNOWN_SKU, generate_campaign, sample_catalog
from integrations.orders.mapping import MappedOrder, NeedsAttention, ShopSettings, Variant, map_order


def catalog_variants() -> dict[str, Variant]:
    variants = [v for product in sample_catalog() for v in product["variants"]]
    return {
        v["sku"]: Variant(id=f"gid://shopify/ProductVariant/{n}", sku=v["sku"], price=Decimal(v["price"]))
        for n, v in enumerate(variants)
    }


def test_same_seed_gives_the_same_campaign():
    assert generate_campaign(backers=50, seed=9) == generate_campaign(backers=50, seed=9)
    assert generate_campaign(backers=50, seed=9) != generate_campaign(backers=50, seed=10)


def test_every_generated_order_is_valid_against_the_contract():
    for raw in generate_campaign(backers=300, seed=2):
        validate_order(raw)


def test_campaign_covers_countries_taxes_and_charges_the_demo_needs():
    orders = generate_campaign(backers=400, seed=2)
    countries = {o["shipping_address"]["country_code"] for o in orders}
    assert {"US", "CA", "GB", "DE", "NL", "BE", "SE", "AU"} <= countries
    assert any(o["shipping_address"]["region"] == "New South Wales" for o in orders)
    assert any(o["shipping_address"]["country_code"] == "NL" and not o["shipping_address"]["region"] for o in orders)
    assert any(not o["taxes"] for o in orders) and any(len(o["taxes"]) > 1 for o in orders)
    assert any(len(o["stripe_charge_ids"]) > 1 for o in orders)
    assert all(o["note"] and o["survey_answers"] for o in orders)


def test_amount_paid_is_usually_the_sum_of_pledge_add_ons_shipping_and_taxes():
    orders = generate_campaign(backers=400, seed=2)

    def owed(o):
        parts = [o["pledge_amount"], o["add_ons_amount"], o["shipping_amount"], *(t["amount"] for t in o["taxes"])]
        return sum(Decimal(p) for p in parts)

    exact = sum(1 for o in orders if Decimal(o["amount_paid"]) == owed(o))
    assert 0.8 * len(orders) < exact < len(orders)


def test_catalog_makes_some_orders_partially_paid_and_the_unknown_sku_needs_attention():
    settings = ShopSettings(connected_store_name="Skyforge")
    results = [
        map_order(validate_order(raw), settings=settings, variants=catalog_variants())
        for raw in generate_campaign(backers=200, seed=2, include_unknown_sku=True)
    ]
    statuses = {r.expected_financial_status for r in results if isinstance(r, MappedOrder)}
    assert {"PAID", "PARTIALLY_PAID"} <= statuses
    attention = [r for r in results if isinstance(r, NeedsAttention)]
    assert [r.reasons for r in attention] == [[f"SKU {UNKNOWN_SKU} is not in your Shopify store."]]


def test_campaign_in_jpy_has_whole_amounts():
    for raw in generate_campaign(backers=20, seed=1, currency="JPY"):
        assert validate_order(raw).amount_paid == validate_order(raw).amount_paid.to_integral_value()
