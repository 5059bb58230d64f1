"""Webhooks the simulator sends: signed as Shopify signs them, recorded with the app's answer."""

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

from tests.support.processes import wait_for
from tests.support.simulator_orders import SHOP


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, status: int):
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = status
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers.items()), body))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver(shopify_sim, shop_domain):
    server = _Receiver(status=200)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    shopify_sim.configure(app_url=f"http://127.0.0.1:{server.server_address[1]}", webhook_path="/webhooks")
    yield server
    server.shutdown()
    server.server_close()


def _expected_hmac(body: bytes) -> str:
    digest = hmac.new(settings.SHOPIFY_API_SECRET.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_uninstall_revokes_tokens_and_sends_a_signed_app_uninstalled(shopify_sim, shop_domain, token, receiver):
    delivery = shopify_sim.uninstall(shop_domain)

    assert delivery["status"] == 200
    [(headers, body)] = receiver.received
    assert headers["X-Shopify-Hmac-Sha256"] == _expected_hmac(body)
    assert headers["X-Shopify-Topic"] == "app/uninstalled"
    assert headers["X-Shopify-Shop-Domain"] == SHOP
    assert headers["X-Shopify-Webhook-Id"] == delivery["webhook_id"]
    assert headers["X-Shopify-Event-Id"] and headers["X-Shopify-Triggered-At"]
    assert headers["X-Shopify-API-Version"] == "2026-07"
    payload = json.loads(body)
    assert payload["myshopify_domain"] == SHOP and payload["domain"] == SHOP
    assert shopify_sim.graphql(shop_domain, token, "{ shop { name } }").status_code == 401


def test_a_redelivery_keeps_the_webhook_id_and_body(shopify_sim, shop_domain, receiver):
    first = shopify_sim.trigger_webhook(shop_domain, "shop/redact")

    again = shopify_sim.redeliver(first["webhook_id"])

    assert again["attempt"] == 2
    (headers_1, body_1), (headers_2, body_2) = receiver.received
    assert headers_1["X-Shopify-Webhook-Id"] == headers_2["X-Shopify-Webhook-Id"] == first["webhook_id"]
    assert body_1 == body_2
    assert [d["attempt"] for d in shopify_sim.deliveries()] == [1, 2]


@pytest.mark.parametrize(
    ("topic", "keys"),
    [
        ("customers/data_request", {"shop_id", "shop_domain", "orders_requested", "customer", "data_request"}),
        ("customers/redact", {"shop_id", "shop_domain", "customer", "orders_to_redact"}),
        ("shop/redact", {"shop_id", "shop_domain"}),
    ],
)
def test_compliance_webhooks_carry_shopifys_payloads(shopify_sim, shop_domain, receiver, topic, keys):
    shopify_sim.trigger_webhook(shop_domain, topic)

    [(headers, body)] = receiver.received
    assert headers["X-Shopify-Topic"] == topic
    assert set(json.loads(body)) == keys


def test_a_scopes_change_sends_app_scopes_update(shopify_sim, shop_domain, receiver):
    shopify_sim.set_scopes(shop_domain, ["read_products", "write_orders", "read_customers"])

    [(headers, body)] = receiver.received
    assert headers["X-Shopify-Topic"] == "app/scopes_update"
    payload = json.loads(body)
    assert payload["previous"] == ["read_orders", "read_products", "write_orders"]
    assert payload["current"] == ["read_customers", "read_products", "write_orders"]


def test_the_apps_answer_is_recorded(shopify_sim, shop_domain, receiver):
    receiver.status = 401

    shopify_sim.trigger_webhook(shop_domain, "shop/redact")

    wait_for(lambda: len(shopify_sim.deliveries()) == 1, timeout=2, what="delivery record")
    assert shopify_sim.deliveries()[0]["status"] == 401


def test_an_undelivered_webhook_returns_the_exact_request(shopify_sim, shop_domain):
    prepared = shopify_sim.trigger_webhook(shop_domain, "shop/redact", deliver=False)

    assert prepared["status"] is None
    assert prepared["headers"]["X-Shopify-Hmac-Sha256"] == _expected_hmac(prepared["body"].encode())
