"""The Shopify simulator for tests: one per session, served in a thread, reset for every test.

    shopify_simulator   session-scoped RunningSimulator (api key/secret and APP_URL from settings)
    shopify_sim         per test: fresh state, settings.SHOPIFY_ORIGIN_TEMPLATE pointed at the
                        simulator, and a SimulatorControl client
Registered in tests/conftest.py with ``from tests.support.shopify_simulator import *  # noqa``.
"""

import pytest

from harness.simulator_control import SimulatorControl
from integrations.shopify.app_toml import declared_webhook_topics
from integrations.shopify.simulator import RunningSimulator, start_simulator

__all__ = ["SimulatorControl", "shopify_sim", "shopify_simulator"]


@pytest.fixture(scope="session")
def shopify_simulator() -> RunningSimulator:
    from django.conf import settings

    simulator = start_simulator(
        api_key=settings.SHOPIFY_API_KEY,
        api_secret=settings.SHOPIFY_API_SECRET,
        app_url=settings.APP_URL,
        scopes=settings.SHOPIFY_SCOPES,
    )
    yield simulator
    simulator.stop()


@pytest.fixture
def shopify_sim(shopify_simulator: RunningSimulator, settings) -> SimulatorControl:
    shopify_simulator.state.reset()
    with shopify_simulator.state.lock:
        config = shopify_simulator.state.config
        config.app_url, config.webhook_path, config.latency, config.catalog = settings.APP_URL, "/webhooks", None, None
        config.webhook_topics = declared_webhook_topics()
    settings.SHOPIFY_ORIGIN_TEMPLATE = shopify_simulator.origin_template
    control = SimulatorControl(shopify_simulator.url)
    yield control
    control.close()
