"""The mapping's cases: captured orders validated, and the Shopify variants they map to."""

import json
from decimal import Decimal

from integrations.backerkit.orders import BackerKitOrder, validate_order
from integrations.orders.mapping import Variant
from tests.support.campaign_files import FIXTURES

VARIANTS = {
    "GAME-CORE": Variant(id="gid://shopify/ProductVariant/1", sku="GAME-CORE", price=Decimal("60.00")),
    "DICE-METAL": Variant(id="gid://shopify/ProductVariant/2", sku="DICE-METAL", price=Decimal("15.00")),
    "EXP-FROST": Variant(id="gid://shopify/ProductVariant/3", sku="EXP-FROST", price=Decimal("30.00")),
}


def load_order(case: str) -> BackerKitOrder:
    return validate_order(json.loads((FIXTURES / f"{case}.json").read_text()))
