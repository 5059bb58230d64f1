"""The mapping sends every amount with its currency's own number of decimal places (ISO 4217):
a dinar order keeps its fils (three places), a yen order has none, a dollar order two."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from integrations.backerkit.orders import validate_order
from integrations.orders.mapping import MappedOrder, ShopSettings, Variant, map_order

ORDER = json.loads((Path(__file__).resolve().parents[2] / "fixtures/backerkit/orders/paid.json").read_text())


@pytest.mark.parametrize(
    ("currency", "price", "shipping", "tax", "paid", "sent_shipping", "sent_tax", "sent_paid"),
    [
        ("KWD", "20.125", "1.250", "0.375", "21.750", "1.250", "0.375", "21.750"),
        ("JPY", "6000", "1200", "480", "7680", "1200", "480", "7680"),
        ("USD", "60.5", "10", "5.4", "75.9", "10.00", "5.40", "75.90"),
    ],
)
def test_amounts_are_sent_with_the_currencys_own_digits(
    currency, price, shipping, tax, paid, sent_shipping, sent_tax, sent_paid
):
    raw = {**ORDER, "currency": currency, "items": [{**ORDER["items"][0], "campaign_price": price}],
           "pledge_amount": price, "add_ons_amount": "0", "shipping_amount": shipping,
           "taxes": [{"name": "VAT", "amount": tax}], "amount_paid": paid}  # fmt: skip
    variants = {"GAME-CORE": Variant(id="gid://shopify/ProductVariant/1", sku="GAME-CORE", price=Decimal(price))}

    result = map_order(validate_order(raw), settings=ShopSettings(shop_currency=currency), variants=variants)

    assert isinstance(result, MappedOrder), result
    order = result.order_input
    assert order["shippingLines"][0]["priceSet"]["shopMoney"]["amount"] == sent_shipping
    assert order["lineItems"][-1]["priceSet"]["shopMoney"]["amount"] == sent_tax
    assert order["transactions"][0]["amountSet"]["shopMoney"] == {"amount": sent_paid, "currencyCode": currency}
    assert result.shopify_total == Decimal(sent_paid)
