"""Every Admin API request is one ``shopify.request`` event: operation, status, duration, cost
requested and charged, the bucket after it, the version that served it and any deprecation reason
(then at WARNING). Never the token, the variables or the answer."""

import logging

import pytest

from integrations.orders.documents import SHOP_INFO
from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyShopUnavailable

DOMAIN = "logged-store.myshopify.com"


@pytest.fixture
def token(shopify_sim):
    shopify_sim.create_shop(domain=DOMAIN, name="Logged Store")
    return shopify_sim.mint_token(DOMAIN)["access_token"]


def request_events(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == "shopify.request"]


def test_a_request_is_logged_once_with_its_figures_and_nothing_secret(token, caplog):
    client = AdminClient(shop=DOMAIN, access_token=token)
    with caplog.at_level(logging.INFO, logger="integrations.shopify.client"):
        answer = client.execute(SHOP_INFO)

    [event] = request_events(caplog)
    assert event.levelno == logging.INFO
    assert (event.shop, event.operation, event.status, event.api_version) == (DOMAIN, "ShopInfo", 200, "2026-07")
    assert event.duration_ms == round(answer.elapsed * 1000, 1) and event.duration_ms > 0
    assert event.cost_requested == answer.cost.requested and event.cost_actual == answer.cost.actual
    assert event.throttle_available == answer.cost.throttle_status.currently_available
    assert event.deprecated_reason is None
    assert token not in str(vars(event)) and "Logged Store" not in str(vars(event))


def test_a_deprecated_version_is_logged_at_warning_with_shopifys_reason(token, caplog):
    client = AdminClient(shop=DOMAIN, access_token=token, api_version="2025-10")
    with caplog.at_level(logging.INFO, logger="integrations.shopify.client"):
        answer = client.execute(SHOP_INFO)

    [event] = request_events(caplog)
    assert event.levelno == logging.WARNING
    assert event.deprecated_reason == answer.deprecated_reason
    assert "versioning" in event.deprecated_reason


def test_a_refused_request_is_logged_with_its_status_and_error_type(token, shopify_sim, caplog):
    shopify_sim.set_availability(DOMAIN, "locked")
    client = AdminClient(shop=DOMAIN, access_token=token)
    with caplog.at_level(logging.INFO, logger="integrations.shopify.client"), pytest.raises(ShopifyShopUnavailable):
        client.execute(SHOP_INFO)

    [event] = request_events(caplog)
    assert (event.status, event.error) == (423, "ShopifyShopUnavailable")
    assert token not in str(vars(event))
