"""Faults on demand: each fires for the next N requests of one shop, then the shop is healthy again."""

import time

import httpx
import pytest

from tests.support.simulator_orders import ORDER_CREATE, create_order, order_input

SHOP_QUERY = "{ shop { name } }"


def test_http_5xx_answers_the_next_n_requests_without_executing_them(shopify_sim, shop_domain, token, variants):
    shopify_sim.fault(shop_domain, http_5xx=2, http_5xx_status=503)

    first = shopify_sim.graphql(shop_domain, token, ORDER_CREATE, {"order": order_input(variants["GAME"])})
    second = shopify_sim.graphql(shop_domain, token, SHOP_QUERY)
    third = shopify_sim.graphql(shop_domain, token, SHOP_QUERY)

    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert shopify_sim.orders(shop_domain) == []


def test_timeout_after_create_stores_the_order_then_withholds_the_answer(shopify_sim, shop_domain, token, variants):
    shopify_sim.fault(shop_domain, timeout_after_create=1, hold_seconds=0.3)
    order = order_input(variants["GAME"], sourceIdentifier="bk-ambiguous")
    started = time.monotonic()

    with pytest.raises(httpx.RemoteProtocolError):
        shopify_sim.graphql(shop_domain, token, ORDER_CREATE, {"order": order})

    assert time.monotonic() - started >= 0.3
    [stored] = shopify_sim.orders(shop_domain)
    assert stored["source_identifier"] == "bk-ambiguous"
    assert create_order(shopify_sim, shop_domain, token, order_input(variants["GAME"]))["data"]["orderCreate"]["order"]


def test_timeout_after_create_meets_a_client_read_timeout(shopify_sim, shop_domain, token, variants):
    shopify_sim.fault(shop_domain, timeout_after_create=1, hold_seconds=2)
    client = httpx.Client(timeout=httpx.Timeout(0.3))

    with pytest.raises(httpx.ReadTimeout):
        client.post(
            f"{shopify_sim.origin(shop_domain)}/admin/api/2026-07/graphql.json",
            json={"query": ORDER_CREATE, "variables": {"order": order_input(variants["GAME"])}},
            headers={"X-Shopify-Access-Token": token},
        )

    assert len(shopify_sim.orders(shop_domain)) == 1


def test_a_connection_dropped_before_execution_creates_nothing(shopify_sim, shop_domain, token, variants):
    shopify_sim.fault(shop_domain, drop_connection=1, drop_when="before")

    with pytest.raises(httpx.RemoteProtocolError):
        shopify_sim.graphql(shop_domain, token, ORDER_CREATE, {"order": order_input(variants["GAME"])})

    assert shopify_sim.orders(shop_domain) == []
    assert shopify_sim.graphql(shop_domain, token, SHOP_QUERY).status_code == 200


def test_a_connection_dropped_after_execution_has_created_the_order(shopify_sim, shop_domain, token, variants):
    shopify_sim.fault(shop_domain, drop_connection=1, drop_when="after")

    with pytest.raises(httpx.RemoteProtocolError):
        shopify_sim.graphql(shop_domain, token, ORDER_CREATE, {"order": order_input(variants["GAME"])})

    assert len(shopify_sim.orders(shop_domain)) == 1


def test_revoke_after_n_requests_revokes_the_token_mid_batch(shopify_sim, shop_domain, token):
    shopify_sim.fault(shop_domain, revoke_after=2)

    statuses = [shopify_sim.graphql(shop_domain, token, SHOP_QUERY).status_code for _ in range(3)]

    assert statuses == [200, 200, 401]
