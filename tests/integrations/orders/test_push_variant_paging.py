"""More SKUs than one variant query holds, end to end: the app looks them up in chunks of 50 and
follows each chunk's pages, so a SKU whose variant is on a second page is found, not reported
missing."""

from io import StringIO

from django.core.management import call_command

from integrations.orders.models import PushRecord
from tests.support.campaign_files import fixture_order, write_jsonl

SKUS = [f"KIT-{n:03d}" for n in range(120)]


def test_variants_of_120_skus_are_found_across_chunks_and_pages(sim_shop, shopify_sim, push_workers, tmp_path):
    # KIT-000 is on 100 variants (a part of many bundles) seeded first: the first chunk's 149
    # matches fill its first page (100) with KIT-000, and KIT-001..049 are on the second page.
    shopify_sim.seed_products(sim_shop.domain, [{"sku": "KIT-000", "price": "1.00"}] * 100)
    shopify_sim.seed_products(sim_shop.domain, [{"sku": sku, "price": "1.00"} for sku in SKUS[1:]])
    first_variant = {}
    for variant in shopify_sim.state()["shops"][0]["variants"]:
        first_variant.setdefault(variant["sku"], variant["id"])
    orders = [order_of(n, SKUS[n * 30 : (n + 1) * 30]) for n in range(4)]  # one batch: one lookup of 120 SKUs

    out = StringIO()
    call_command("push_orders", sim_shop.domain, str(write_jsonl(tmp_path / "kits.jsonl", orders)),
                 "--connection", "Skyforge Store", "--timeout", "90", stdout=out)  # fmt: skip

    states = dict(PushRecord.objects.filter(shop=sim_shop).values_list("backerkit_order_id", "last_error"))
    assert set(PushRecord.objects.filter(shop=sim_shop).values_list("state", flat=True)) == {"pushed"}, states
    for order in shopify_sim.orders(sim_shop.domain):
        for line in order["line_items"]:
            if line["sku"] in first_variant:
                assert line["variant_id"] == first_variant[line["sku"]], line["sku"]
    # Chunks of 50, 50 and 20 SKUs; the first chunk in two pages.
    assert shopify_sim.counters()["variant_searches"] == 4


def order_of(n: int, skus: list[str]) -> dict:
    items = [{"sku": sku, "name": sku, "quantity": 1, "campaign_price": "1.00"} for sku in skus]
    return fixture_order(
        "no_tax", id=f"bk-kit-{n}", items=items, pledge_amount=f"{len(skus)}.00", add_ons_amount="0.00",
        shipping_amount="0.00", amount_paid=f"{len(skus)}.00",
    )  # fmt: skip
