"""A seeded shop and a token on it, for the simulator's own tests (all over real loopback HTTP)."""

import pytest

from tests.support.shopify_simulator import SimulatorControl
from tests.support.simulator_orders import SHOP

PRODUCTS = [
    {"sku": "GAME", "price": "40.00", "title": "Board game"},
    {"sku": "EXPANSION", "price": "15.50", "title": "Expansion"},
    {"sku": "SHIRT-M", "price": "20.00", "title": "Shirt M", "inventory_policy": "CONTINUE"},
]


@pytest.fixture
def shop_domain(shopify_sim: SimulatorControl) -> str:
    shopify_sim.create_shop(SHOP, products=PRODUCTS, scopes=["read_products", "write_orders", "read_orders"])
    return SHOP


@pytest.fixture
def variants(shopify_sim: SimulatorControl, shop_domain: str) -> dict[str, str]:
    """sku -> variant gid."""
    return {v["sku"]: v["gid"] for v in shopify_sim.state()["shops"][0]["variants"]}


@pytest.fixture
def token(shopify_sim: SimulatorControl, shop_domain: str) -> str:
    return shopify_sim.mint_token(shop_domain)["access_token"]
