"""Loading a product catalog to seed shops with (fixtures/catalog.json is the sample one).

Format: ``{"products": [{"title": "...", "variants": [{"sku": "...", "price": "12.00",
"title": "...", "inventory_policy": "DENY" | "CONTINUE", "inventory_quantity": 0}]}]}``.
"""

import json
from pathlib import Path
from typing import Any

SAMPLE_CATALOG = Path(__file__).resolve().parent / "fixtures" / "catalog.json"


def load_catalog(source: "str | Path | list[dict[str, Any]] | dict[str, Any] | None") -> list[dict[str, Any]] | None:
    """Products from a file path, a ``{"products": [...]}`` dict or a list (None stays None)."""
    if source is None:
        return None
    if isinstance(source, str | Path):
        source = json.loads(Path(source).read_text())
    products = source.get("products") if isinstance(source, dict) else source
    if not isinstance(products, list) or not all(isinstance(p, dict) for p in products):
        raise ValueError("a catalog is a list of products, or {'products': [...]}")
    for product in products:
        for variant in product.get("variants") or [product]:
            if "sku" not in variant or "price" not in variant:
                raise ValueError(f"every variant needs a sku and a price: {variant!r}")
    return products
