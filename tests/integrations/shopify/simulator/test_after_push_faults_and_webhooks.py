"""After the push: answers lost after a change executed (the ambiguous outcome), and the order
webhooks a subscribed app receives."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.support.after_push_documents import (
    EDIT_ADD_VARIANT,
    EDIT_BEGIN,
    EDIT_COMMIT,
    ORDER_CANCEL,
    ORDER_UPDATE,
    READ_ORDER,
    data,
    open_shop,
    push_order,
)
from tests.support.processes import wait_for
from tests.support.simulator_orders import SHOP

SUBSCRIBE = """
mutation Subscribe($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id }
    userErrors { message }
  }
}
"""


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.received: list[tuple[dict[str, str], dict]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers.items()), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def pushed(shopify_sim):
    token, variants = open_shop(shopify_sim, SHOP)
    return token, variants, push_order(shopify_sim, SHOP, token, variants)


@pytest.fixture
def receiver():
    server = _Receiver()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_5xx_after_order_edit_commit_executed_leaves_the_edit_applied(shopify_sim, pushed):
    token, variants, order_id = pushed
    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]
    data(shopify_sim, SHOP, token, EDIT_ADD_VARIANT, id=session, variantId=variants["PIN"], quantity=1)
    shopify_sim.fault(SHOP, lose_answer_after=["orderEditCommit"], lose_answer_as="http_5xx", http_5xx_status=503)

    lost = shopify_sim.graphql(SHOP, token, EDIT_COMMIT, {"id": session})

    assert lost.status_code == 503
    order = data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)  # read back: it happened
    assert "PIN" in {n["sku"] for n in order["lineItems"]["nodes"]}
    again = data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session)  # the fault fired once only
    assert again["userErrors"] == [{"field": ["id"], "message": "The order edit has already been committed"}]
    assert shopify_sim.counters()["fault_lost_answer_orderEditCommit"] == 1


def test_a_dropped_connection_after_order_update_executed_leaves_the_update_applied(shopify_sim, pushed):
    token, _, order_id = pushed
    shopify_sim.fault(SHOP, lose_answer_after=["orderUpdate"], lose_answer_as="drop")

    with pytest.raises(httpx.TransportError):
        shopify_sim.graphql(SHOP, token, ORDER_UPDATE, {"input": {"id": order_id, "email": "new@example.com"}})

    assert data(shopify_sim, SHOP, token, READ_ORDER, id=order_id)["email"] == "new@example.com"
    assert shopify_sim.state()["shops"][0]["faults"]["lose_answer_after"] == []


def test_other_mutations_are_answered_while_the_fault_waits_for_its_own(shopify_sim, pushed):
    token, _, order_id = pushed
    shopify_sim.fault(SHOP, lose_answer_after=["orderCancel"])

    updated = data(shopify_sim, SHOP, token, ORDER_UPDATE, input={"id": order_id, "note": "kept"})

    assert updated["userErrors"] == []
    assert shopify_sim.state()["shops"][0]["faults"]["lose_answer_after"] == ["orderCancel"]


def test_a_bad_lost_answer_kind_is_refused(shopify_sim, pushed):
    with pytest.raises(httpx.HTTPStatusError):
        shopify_sim.fault(SHOP, lose_answer_as="maybe")


def test_no_subscription_no_order_webhook(shopify_sim, pushed):
    _, _, order_id = pushed

    edited = shopify_sim.merchant_edit(SHOP, order_id, email="m@example.com")

    assert edited["webhooks"] == [] and shopify_sim.deliveries() == []


def test_a_merchant_edit_sends_orders_updated_to_an_app_wide_subscription(shopify_sim, pushed):
    _, _, order_id = pushed
    shopify_sim.configure(webhook_topics=["orders/updated"])

    edited = shopify_sim.merchant_edit(SHOP, order_id, shippingAddress={"address1": "3 Moved Lane"}, deliver=False)

    [delivery] = edited["webhooks"]
    assert delivery["headers"]["X-Shopify-Topic"] == "orders/updated"
    body = json.loads(delivery["body"])
    assert body["admin_graphql_api_id"] == order_id and body["updated_at"] == edited["updated_at"]
    assert body["shipping_address"]["address1"] == "3 Moved Lane" and body["source_identifier"] == "bk-1"


def test_the_apps_own_changes_reach_its_subscription_too_without_delaying_the_answer(shopify_sim, pushed, receiver):
    token, variants, order_id = pushed
    for topic in ("ORDERS_UPDATED", "ORDERS_EDITED"):
        data(shopify_sim, SHOP, token, SUBSCRIBE, topic=topic, sub={"uri": receiver.url + "/hooks"})
    session = data(shopify_sim, SHOP, token, EDIT_BEGIN, id=order_id)["orderEditSession"]["id"]
    data(shopify_sim, SHOP, token, EDIT_ADD_VARIANT, id=session, variantId=variants["PIN"], quantity=1)

    data(shopify_sim, SHOP, token, EDIT_COMMIT, id=session)

    wait_for(lambda: len(receiver.received) == 2, timeout=5, what="orders/updated and orders/edited")
    topics = sorted(headers["X-Shopify-Topic"] for headers, _ in receiver.received)
    assert topics == ["orders/edited", "orders/updated"]
    assert {body["id"] for _, body in receiver.received} == {int(order_id.rsplit("/", 1)[1])}


def test_an_api_cancel_sends_orders_cancelled_to_the_topics_of_the_app_toml(shopify_sim, pushed, receiver):
    token, _, order_id = pushed
    shopify_sim.configure(app_url=receiver.url)  # webhook_topics: shopify.app.toml's (orders/cancelled among them)

    data(shopify_sim, SHOP, token, ORDER_CANCEL, orderId=order_id, restock=True, reason="CUSTOMER")

    wait_for(lambda: len(receiver.received) == 1, timeout=5, what="orders/cancelled")
    [(headers, body)] = receiver.received
    assert headers["X-Shopify-Topic"] == "orders/cancelled"
    assert (body["cancel_reason"], body["current_total_price"], body["source_identifier"]) == (
        "customer",
        "0.00",
        "bk-1",
    )
    assert [item["current_quantity"] for item in body["line_items"]] == [0, 0]
