"""Fixtures for end-to-end pushes: a shop on the Shopify simulator, real workers."""

import pytest

from tests.support.campaign_files import CATALOG
from tests.support.push_workers import push_worker_env
from tests.support.shops import connected_shop


@pytest.fixture
def sim_shop(transactional_db, shopify_sim):
    """A shop connected to the Shopify simulator, its catalog seeded (a Shop row)."""
    shop = connected_shop(shopify_sim)
    shopify_sim.seed_products(shop.domain, CATALOG)
    return shop


@pytest.fixture
def push_workers(worker_factory, shopify_sim, shopify_simulator, backerkit_sim):
    """Real Celery workers pointed at the simulators (one started, with beat;
    start more with ``push_workers(name=...)``, which returns the new worker)."""

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
