"""The order detail answers "which item?": per line the campaign price, the Shopify price it was
sent at and the difference, the line that makes the gap marked; an order that needs attention
shows the backer's items, the missing SKU and what to do; the attempt count is the timeline's."""

from decimal import Decimal

from integrations.orders.models import PushAttempt
from tests.support.campaign_files import fixture_order
from tests.support.push_records import State, attempt, record


def _sent(order: dict) -> dict:
    return {
        "order": {
            "currency": "USD",
            "lineItems": [
                {"variantId": "gid://shopify/ProductVariant/1", "quantity": 1},
                {"variantId": "gid://shopify/ProductVariant/3", "quantity": 1},
                {"title": "Taxes", "quantity": 1, "priceSet": {"shopMoney": {"amount": "6.16", "currencyCode": "USD"}}},
            ],
            "financialStatus": "PARTIALLY_PAID",
        },
        "options": {"inventoryBehaviour": "BYPASS"},
    }


def test_a_partially_paid_order_shows_each_items_prices_and_marks_the_one_priced_higher(admin, shop_row, conn):
    order = fixture_order("partially_paid")
    rec = record(
        shop_row,
        conn,
        order["id"],
        State.PUSHED,
        order_data=order,
        sent_input=_sent(order),
        variant_prices={"GAME-CORE": "60.00", "EXP-FROST": "30.00"},
        financial_status="PARTIALLY_PAID",
        shopify_total=Decimal("106.16"),
        amount_paid=Decimal("101.16"),
    )
    for _ in range(3):
        attempt(rec, PushAttempt.Outcome.TRANSIENT)

    response = admin.get("pages:order", rec.id)
    page = response.content.decode()

    lines = response.context["sent"].lines
    frost = next(line for line in lines if line["sku"] == "EXP-FROST")
    core = next(line for line in lines if line["sku"] == "GAME-CORE")
    assert (frost["campaign_price"], frost["shopify_price"], frost["difference"]) == (
        "25.00 USD",
        "30.00 USD",
        "+5.00 USD",
    )
    assert frost["raises"] and not core["raises"] and core["difference"] == "+0.00 USD"
    assert page.count('data-testid="gap-line"') == 1
    assert "Priced higher in Shopify" in page and "The backer owes nothing" in page
    assert "Don&#x27;t change inventory" in page and ">BYPASS<" not in page
    assert '<dd data-testid="attempt-count">3</dd>' in page


def test_a_needs_attention_order_shows_the_backers_items_what_is_missing_and_what_to_do(admin, shop_row, conn):
    order = fixture_order("unknown_sku")
    missing = next(
        item["sku"] for item in order["items"] if item["sku"] not in ("GAME-CORE", "DICE-METAL", "EXP-FROST")
    )
    rec = record(
        shop_row,
        conn,
        order["id"],
        State.NEEDS_ATTENTION,
        order_data=order,
        last_error=f"SKU {missing} is not in your Shopify store.",
    )

    page = admin.get("pages:order", rec.id).content.decode()

    assert 'data-testid="backer-items"' in page
    assert page.count('data-testid="missing-item"') == 1
    assert f"Add SKU {missing} to a product in Shopify, then press Retry." in page
    for item in order["items"]:
        assert item["name"] in page
