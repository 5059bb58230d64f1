"""BackerKit orders for tests: the captured payloads (one per case, named after it), campaign
files, and the Shopify catalog they are priced against."""

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "backerkit" / "orders"
CATALOG = [
    {"title": "Skyforge: Core Game", "variants": [{"sku": "GAME-CORE", "price": "60.00"}]},
    {"title": "Metal Dice Set", "variants": [{"sku": "DICE-METAL", "price": "15.00"}]},
    # Priced higher in Shopify than in the campaign (25.00): orders with it are Partially Paid.
    {"title": "Frost Giants Expansion", "variants": [{"sku": "EXP-FROST", "price": "30.00"}]},
]


def fixture_order(case: str, **changes) -> dict:
    order = json.loads((FIXTURES / f"{case}.json").read_text())
    order.update(changes)
    return order


def write_jsonl(path: Path, orders: list) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in orders))
    return path
