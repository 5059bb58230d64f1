"""Fixtures for end-to-end pushes: a campaign file, a shop on the Shopify simulator, real workers."""

import json
from pathlib import Path

import pytest

from tests.support.shops import connected_shop

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "backerkit" / "orders"

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


@pytest.fixture
def shop(transactional_db, shopify_sim):
    shop = connected_shop(shopify_sim)
    shopify_sim.seed_products(shop.domain, CATALOG)
    return shop


@pytest.fixture
def push_worker(worker_factory, shopify_sim, shopify_simulator, backerkit_sim):
    """Real Celery workers pointed at the simulators (start more with ``push_worker(name=...)``)."""

    def start(*, name: str = "push", concurrency: int = 8, beat: bool = False, **env):
        return worker_factory(
            name=name,
            concurrency=concurrency,
            beat=beat,
            **{**push_worker_env(shopify_simulator, backerkit_sim), **env},
        )

    # The first one also runs beat: the sweeper finds work whose message or worker was lost.
    start.first = start(name="push-beat", beat=True)
    return start


def push_worker_env(shopify_simulator, backerkit_sim) -> dict[str, str]:
    """A push worker's environment: the simulators, and the short recovery knobs below."""
    return {
        **PUSH_WORKER_ENV,
        "SHOPIFY_ORIGIN_TEMPLATE": shopify_simulator.origin_template,
        "BACKERKIT_API_URL": backerkit_sim.url,
    }


# Short leases and grace periods so that recovery paths run within a test's time.
PUSH_WORKER_ENV = {
    "PUSH_SEARCH_GRACE_SECONDS": "3",
    "PUSH_CLAIM_LEASE_SECONDS": "6",
    "PUSH_LANE_BUDGET_SECONDS": "3",
    "PUSH_SWEEP_INTERVAL_SECONDS": "2",
    "SHOPIFY_READ_TIMEOUT": "2",
}
