"""Fulfilment orders, holds and fulfilments in the simulator, read with the app's shared reader
(integrations/shopify/fulfilment_state.py), and the webhooks the warehouse's work sends."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from django.conf import settings

from integrations.shopify.fulfilment_state import (
    ORDER_FULFILMENT_STATE,
    ORDERS_FULFILMENT_STATE,
    parse_order,
)
from tests.support.simulator_orders import SHOP, create_order

HOLD = """
mutation Hold($id: ID!, $hold: FulfillmentOrderHoldInput!) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) {
    fulfillmentHold { id reason reasonNotes handle heldByRequestingApp }
    fulfillmentOrder { id status lineItems(first: 10) { nodes { id remainingQuantity lineItem { sku } } } }
    remainingFulfillmentOrder { id status lineItems(first: 10) { nodes { remainingQuantity lineItem { sku } } } }
    userErrors { field message code }
  }
}
"""
RELEASE = """
mutation Release($id: ID!, $holdIds: [ID!], $externalId: String) {
  fulfillmentOrderReleaseHold(id: $id, holdIds: $holdIds, externalId: $externalId) {
    fulfillmentOrder { id status fulfillmentHolds { id } }
    userErrors { field message code }
  }
}
"""
FULFILLMENT_ORDER = "query FO($id: ID!) { fulfillmentOrder(id: $id) { id status requestStatus } }"


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.received: list[tuple[str, dict]] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers["X-Shopify-Topic"], json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver(shopify_sim):
    server = _Receiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    shopify_sim.configure(app_url=f"http://127.0.0.1:{server.server_address[1]}")
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def shop(shopify_sim):
    products = [{"sku": "GAME", "price": "40.00"}, {"sku": "EXPANSION", "price": "15.00"}]
    shopify_sim.create_shop(SHOP, products=products, scopes=settings.SHOPIFY_SCOPES)
    variants = {v["sku"]: v["gid"] for v in shopify_sim.state()["shops"][0]["variants"]}
    token = shopify_sim.mint_token(SHOP)["access_token"]
    return variants, token


def _order(shopify_sim, shop, source="bk-1", lines=(("GAME", 2), ("EXPANSION", 1))) -> str:
    variants, token = shop
    order = {"lineItems": [{"variantId": variants[s], "quantity": q} for s, q in lines], "sourceIdentifier": source}
    created = create_order(shopify_sim, SHOP, token, order)["data"]["orderCreate"]
    assert created["userErrors"] == []
    return created["order"]["id"]


def _gql(shopify_sim, token, document, variables):
    body = shopify_sim.graphql(SHOP, token, document, variables).json()
    assert "errors" not in body, body
    return body["data"]


def _state(shopify_sim, token, order_id):
    return parse_order(_gql(shopify_sim, token, ORDER_FULFILMENT_STATE, {"id": order_id})["order"])


def test_a_new_order_has_one_open_fulfilment_order_readable_only_with_the_scope(shopify_sim, shop):
    order_id = _order(shopify_sim, shop)

    state = _state(shopify_sim, shop[1], order_id)

    [fo] = state.fulfillment_orders
    assert (fo.status, fo.request_status, fo.holds) == ("OPEN", "UNSUBMITTED", ())
    assert [(line.sku, line.total_quantity, line.remaining_quantity) for line in fo.lines] == [
        ("GAME", 2, 2),
        ("EXPANSION", 1, 1),
    ]
    assert "HOLD" in fo.supported_actions and "CREATE_FULFILLMENT" in fo.supported_actions
    assert (state.display_fulfillment_status, state.fulfillments) == ("UNFULFILLED", ())
    narrow = shopify_sim.mint_token(SHOP, scopes=["read_orders"])["access_token"]
    assert _state(shopify_sim, narrow, order_id).fulfillment_orders == ()  # as Shopify: not visible
    denied = shopify_sim.graphql(SHOP, narrow, FULFILLMENT_ORDER, {"id": fo.id}).json()
    assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    hold = {"id": fo.id, "hold": {"reason": "OTHER"}}
    refused = shopify_sim.graphql(SHOP, narrow, HOLD, hold).json()
    assert "write_merchant_managed_fulfillment_orders" in refused["errors"][0]["message"]


def test_a_held_order_cannot_be_fulfilled_until_its_hold_is_released(shopify_sim, shop):
    _variants, token = shop
    order_id = _order(shopify_sim, shop)
    [fo] = _state(shopify_sim, token, order_id).fulfillment_orders
    spec = {"reason": "OTHER", "reasonNotes": "Wave 2 (April)", "handle": "wave-7", "externalId": "wave-7"}

    held = _gql(shopify_sim, token, HOLD, {"id": fo.id, "hold": spec})["fulfillmentOrderHold"]
    again = _gql(shopify_sim, token, HOLD, {"id": fo.id, "hold": spec})["fulfillmentOrderHold"]

    assert held["userErrors"] == [] and held["remainingFulfillmentOrder"] is None
    assert held["fulfillmentOrder"] == {**held["fulfillmentOrder"], "id": fo.id, "status": "ON_HOLD"}
    hold = held["fulfillmentHold"]
    assert (hold["reasonNotes"], hold["handle"], hold["heldByRequestingApp"]) == ("Wave 2 (April)", "wave-7", True)
    assert again["userErrors"][0]["code"] == "DUPLICATE_FULFILLMENT_HOLD_HANDLE"
    state = _state(shopify_sim, token, order_id)
    assert state.display_fulfillment_status == "ON_HOLD" and [h.id for h in state.holds] == [hold["id"]]
    with pytest.raises(httpx.HTTPStatusError) as refused:
        shopify_sim.fulfil(SHOP, "bk-1")
    assert refused.value.response.status_code == 409 and "on hold" in refused.value.response.json()["error"]

    released = _gql(shopify_sim, token, RELEASE, {"id": fo.id, "holdIds": [hold["id"]], "externalId": "wave-7"})
    repeat = _gql(shopify_sim, token, RELEASE, {"id": fo.id, "holdIds": [hold["id"]]})

    assert released["fulfillmentOrderReleaseHold"]["fulfillmentOrder"]["status"] == "OPEN"
    assert repeat["fulfillmentOrderReleaseHold"] == {**repeat["fulfillmentOrderReleaseHold"], "userErrors": []}
    assert shopify_sim.fulfil(SHOP, "bk-1")["order"]["display_fulfillment_status"] == "FULFILLED"
    [record] = shopify_sim.order(SHOP, "bk-1")["fulfillment_orders"]
    assert record["released_holds"][0]["released_at"] and record["status"] == "CLOSED"


def test_holding_some_line_items_splits_the_fulfilment_order(shopify_sim, shop):
    _variants, token = shop
    order_id = _order(shopify_sim, shop)
    [fo] = _state(shopify_sim, token, order_id).fulfillment_orders
    expansion = next(line for line in fo.lines if line.sku == "EXPANSION")
    spec = {"reason": "OTHER", "fulfillmentOrderLineItems": [{"id": expansion.id, "quantity": 1}]}

    held = _gql(shopify_sim, token, HOLD, {"id": fo.id, "hold": spec})["fulfillmentOrderHold"]

    assert held["userErrors"] == []
    on_hold, rest = held["fulfillmentOrder"], held["remainingFulfillmentOrder"]
    assert on_hold["status"] == "ON_HOLD" and on_hold["id"] != fo.id
    assert [n["lineItem"]["sku"] for n in on_hold["lineItems"]["nodes"]] == ["EXPANSION"]
    assert (rest["id"], rest["status"]) == (fo.id, "OPEN")
    assert [(n["lineItem"]["sku"], n["remainingQuantity"]) for n in rest["lineItems"]["nodes"]] == [("GAME", 2)]
    more = {
        "reason": "OTHER",
        "handle": "b",
        "fulfillmentOrderLineItems": [{"id": on_hold["lineItems"]["nodes"][0]["id"], "quantity": 1}],
    }
    not_splittable = _gql(shopify_sim, token, HOLD, {"id": on_hold["id"], "hold": more})["fulfillmentOrderHold"]
    assert not_splittable["userErrors"][0]["code"] == "FULFILLMENT_ORDER_NOT_SPLITTABLE"
    with pytest.raises(httpx.HTTPStatusError):
        shopify_sim.fulfil(SHOP, "bk-1", line_items=[{"sku": "EXPANSION", "quantity": 1}])
    shipped = shopify_sim.fulfil(SHOP, "bk-1", line_items=[{"sku": "GAME", "quantity": 2}])
    assert shipped["order"]["display_fulfillment_status"] == "PARTIALLY_FULFILLED"
    assert _state(shopify_sim, token, order_id).remaining_by_sku() == {"GAME": 0, "EXPANSION": 1}


def test_fulfilments_send_signed_webhooks_and_follow_tracking_delivery_and_cancellation(shopify_sim, shop, receiver):
    _variants, token = shop
    order_id = _order(shopify_sim, shop)
    tracking = [
        {"number": "1Z001", "company": "UPS", "url": "https://ups.example/1Z001"},
        {"number": "1Z002", "company": "UPS", "url": "https://ups.example/1Z002"},
    ]

    created = shopify_sim.fulfil(SHOP, "bk-1", line_items=[{"sku": "GAME", "quantity": 1}], tracking=tracking)
    fulfillment_id = created["fulfillment"]["admin_graphql_api_id"]
    shopify_sim.set_tracking(SHOP, fulfillment_id, [{"number": "1Z003", "company": "UPS"}])
    shopify_sim.set_shipment_status(SHOP, fulfillment_id, "delivered")
    shopify_sim.cancel_fulfillment(SHOP, fulfillment_id)

    assert [d["status"] for d in created["deliveries"]] == [200]
    topics = [topic for topic, _payload in receiver.received]
    assert topics == ["fulfillments/create", "fulfillments/update", "fulfillments/update", "fulfillments/update"]
    first, corrected, delivered, cancelled = (payload for _topic, payload in receiver.received)
    assert first["tracking_numbers"] == ["1Z001", "1Z002"] and first["tracking_company"] == "UPS"
    assert first["tracking_urls"] == ["https://ups.example/1Z001", "https://ups.example/1Z002"]
    assert [(li["sku"], li["quantity"]) for li in first["line_items"]] == [("GAME", 1)]
    assert first["status"] == "success" and first["order_id"] == int(order_id.rsplit("/", 1)[1])
    assert corrected["id"] == first["id"] and corrected["tracking_numbers"] == ["1Z003"]
    assert delivered["shipment_status"] == "delivered"
    assert cancelled["status"] == "cancelled"
    state = _state(shopify_sim, token, order_id)
    [fulfilment] = state.fulfillments
    assert (fulfilment.status, fulfilment.display_status) == ("CANCELLED", "CANCELED")
    assert fulfilment.delivered_at is not None and fulfilment.tracking[0].number == "1Z003"
    assert state.remaining_by_sku() == {"GAME": 2, "EXPANSION": 1}  # cancelled: fulfillable again


def test_an_order_accepted_by_a_fulfilment_service_cannot_be_held(shopify_sim, shop):
    _variants, token = shop
    order_id = _order(shopify_sim, shop)

    shopify_sim.accept_by_service(SHOP, "bk-1")

    [fo] = _state(shopify_sim, token, order_id).fulfillment_orders
    assert (fo.status, fo.request_status, fo.with_the_warehouse) == ("IN_PROGRESS", "ACCEPTED", True)
    refused = _gql(shopify_sim, token, HOLD, {"id": fo.id, "hold": {"reason": "OTHER"}})["fulfillmentOrderHold"]
    assert refused["fulfillmentHold"] is None and refused["userErrors"]


def test_the_merchant_cancelling_sends_orders_cancelled(shopify_sim, shop, receiver):
    _variants, token = shop
    order_id = _order(shopify_sim, shop)

    shopify_sim.cancel_order_as_merchant(SHOP, "bk-1", reason="customer")

    [(topic, payload)] = receiver.received
    assert (topic, payload["cancel_reason"], payload["source_identifier"]) == ("orders/cancelled", "customer", "bk-1")
    state = _state(shopify_sim, token, order_id)
    assert state.cancelled_at is not None and state.fulfillment_orders[0].status == "CANCELLED"


def test_orders_updated_since_are_found_with_their_fulfilments(shopify_sim, shopify_simulator, shop):
    _variants, token = shop
    _order(shopify_sim, shop, source="bk-old")
    _order(shopify_sim, shop, source="bk-new")
    shopify_sim.fulfil(SHOP, "bk-new", tracking=[{"number": "LX1", "company": "DHL"}])
    with shopify_simulator.state.lock:  # the first order was last changed yesterday
        old = shopify_simulator.state.shops[SHOP].orders[0]
        old.updated_at = "2026-01-01T00:00:00Z"

    data = _gql(
        shopify_sim, token, ORDERS_FULFILMENT_STATE, {"first": 8, "query": "updated_at:>'2026-01-02T00:00:00Z'"}
    )

    [found] = [parse_order(node) for node in data["orders"]["nodes"]]
    assert found.fulfillments[0].tracking[0].number == "LX1" and found.display_fulfillment_status == "FULFILLED"
    assert data["orders"]["pageInfo"]["hasNextPage"] is False


def test_dropped_webhooks_are_recorded_but_never_arrive(shopify_sim, shop, receiver):
    _order(shopify_sim, shop)
    shopify_sim.fault(SHOP, drop_webhooks=1)

    lost = shopify_sim.fulfil(SHOP, "bk-1", line_items=[{"sku": "GAME", "quantity": 1}])
    kept = shopify_sim.fulfil(SHOP, "bk-1", line_items=[{"sku": "GAME", "quantity": 1}])

    assert lost["deliveries"] == [] and [d["status"] for d in kept["deliveries"]] == [200]
    assert [p["id"] for _t, p in receiver.received] == [kept["fulfillment"]["id"]]
    assert [d for d in shopify_sim.deliveries() if d.get("dropped")][0]["topic"] == "fulfillments/create"
    assert shopify_sim.counters()["fault_webhook_dropped"] == 1


def test_no_fulfilment_webhook_without_its_scope_or_a_subscription(shopify_sim, shop, receiver):
    _order(shopify_sim, shop)
    shopify_sim.set_scopes(SHOP, ["read_products", "write_orders"], deliver=False)
    shopify_sim.fulfil(SHOP, "bk-1", line_items=[{"sku": "GAME", "quantity": 1}])
    shopify_sim.set_scopes(SHOP, settings.SHOPIFY_SCOPES, deliver=False)
    shopify_sim.configure(webhook_topics=[])
    shopify_sim.fulfil(SHOP, "bk-1", line_items=[{"sku": "GAME", "quantity": 1}])

    assert receiver.received == []


def test_the_inspection_page_shows_holds_and_fulfils_from_its_form(shopify_sim, shop):
    _order(shopify_sim, shop)
    shopify_sim.hold_as_merchant(SHOP, "bk-1", notes="Wave 3")
    assert "held: OTHER Wave 3" in shopify_sim.http.get("/").text
    order_id = shopify_sim.order(SHOP, "bk-1")["id"]
    [fo] = shopify_sim.order(SHOP, "bk-1")["fulfillment_orders"]
    shopify_sim.graphql(SHOP, shop[1], RELEASE, {"id": fo["id"]})

    form = {
        "shop": SHOP,
        "order": order_id,
        "action": "fulfil",
        "skus": "GAME:2",
        "tracking": "T1,T2",
        "company": "USPS",
    }
    answer = shopify_sim.http.post("/_simulator/inspect/action", data=form)

    assert answer.status_code in (302, 303)
    [fulfilment] = shopify_sim.order(SHOP, "bk-1")["fulfillments"]
    assert [t["number"] for t in fulfilment["tracking"]] == ["T1", "T2"]
    assert fulfilment["line_items"] == [{"sku": "GAME", "quantity": 2}]
