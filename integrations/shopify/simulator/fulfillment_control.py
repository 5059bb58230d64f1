"""Control API for the warehouse and the merchant: fulfil, accept, correct tracking, deliver, cancel.

Routes (JSON bodies; ``{order}`` is the order's numeric id, gid, name or source identifier):

    GET  /_simulator/shops/{shop}/orders/{order}.json            the order with its fulfilment orders
    POST /_simulator/shops/{shop}/orders/{order}/fulfillments    {"line_items": [{"sku", "quantity"}]?,
                                                                  "tracking": [{"number", "company"?, "url"?}]}
    POST /_simulator/shops/{shop}/orders/{order}/accept          {"fulfillment_order_id"?}
    POST /_simulator/shops/{shop}/orders/{order}/holds           {"reason"?: "OTHER", "reason_notes"?}
    POST /_simulator/shops/{shop}/orders/{order}/cancel          {"reason"?: "customer"}
    POST /_simulator/shops/{shop}/fulfillments/{id}/tracking     {"tracking": [...]}
    POST /_simulator/shops/{shop}/fulfillments/{id}/status       {"status": "in_transit" | "delivered" | ...}
    POST /_simulator/shops/{shop}/fulfillments/{id}/cancel       {}

A request Shopify would refuse (fulfilling a held fulfilment order, a cancelled order...) answers
409 ``{"error": ...}``. Answers carry ``deliveries``: the webhooks sent (or dropped by a fault).
"""

import re
from collections.abc import Callable
from typing import Any

from integrations.shopify.simulator import fulfillment_orders, fulfillments, webhooks
from integrations.shopify.simulator.fulfillment_orders import FulfillmentRefused, order_of
from integrations.shopify.simulator.rest_payloads import fulfillment_payload, order_payload
from integrations.shopify.simulator.snapshot import order_json
from integrations.shopify.simulator.state import SimulatorState
from integrations.shopify.simulator.wire import Request, Response


def _line_items(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    items = body.get("line_items")
    if items is None:
        return None
    if not isinstance(items, list) or not items:
        raise ValueError("line_items must be a non-empty list of {sku, quantity}")
    return items


def _answer(state: SimulatorState, shop, events: list[tuple[str, dict]], body: dict, status: int = 200) -> Response:
    sent = [d for topic, payload in events for d in webhooks.send_event(state, shop, topic, payload)]
    return Response.json(body | {"deliveries": sent}, status=status)


def get_order(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    shop = state.require_shop(params["shop"])
    with state.lock:
        return Response.json(order_json(order_of(shop, params["order"])))


def fulfil(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    shop = state.require_shop(params["shop"])
    tracking = fulfillments.tracking_list(body.get("tracking"))
    with state.lock:
        order = order_of(shop, params["order"])
        fulfillment = fulfillments.fulfil(state, shop, order, _line_items(body), tracking)
        payload = fulfillment_payload(order, fulfillment)
        result = {"fulfillment": payload, "order": order_json(order)}
    return _answer(state, shop, [("fulfillments/create", payload)], result, status=201)


def accept(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    shop = state.require_shop(params["shop"])
    with state.lock:
        order = order_of(shop, params["order"])
        wanted = body.get("fulfillment_order_id")
        number = int(str(wanted).rsplit("/", 1)[-1]) if wanted is not None else None
        fulfillment_orders.accept_by_service(order, number)
        return Response.json({"order": order_json(order)})


def merchant_hold(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    shop = state.require_shop(params["shop"])
    with state.lock:
        order = order_of(shop, params["order"])
        fulfillment_orders.merchant_hold(state, shop, order, body.get("reason", "OTHER"), body.get("reason_notes"))
        return Response.json({"order": order_json(order)}, status=201)


def cancel_order(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
    shop = state.require_shop(params["shop"])
    with state.lock:
        order = order_of(shop, params["order"])
        fulfillments.cancel_order(order, str(body.get("reason", "customer")))
        payload = order_payload(order)
        result = {"order": order_json(order)}
    return _answer(state, shop, [("orders/cancelled", payload)], result)


def _fulfillment_change(change: Callable[[Any, Any, dict], None]) -> Callable[..., Response]:
    def handler(state: SimulatorState, request: Request, params: dict, body: dict) -> Response:
        shop = state.require_shop(params["shop"])
        with state.lock:
            order, fulfillment = fulfillments.find_fulfillment(shop, params["fulfillment"])
            change(order, fulfillment, body)
            payload = fulfillment_payload(order, fulfillment)
        return _answer(state, shop, [("fulfillments/update", payload)], {"fulfillment": payload})

    return handler


set_tracking = _fulfillment_change(
    lambda order, f, body: fulfillments.set_tracking(order, f, fulfillments.tracking_list(body.get("tracking")))
)
set_status = _fulfillment_change(
    lambda order, f, body: fulfillments.set_shipment_status(order, f, str(body.get("status", "")))
)
cancel_fulfillment = _fulfillment_change(lambda order, f, body: fulfillments.cancel_fulfillment(order, f))

_SHOP = r"(?P<shop>[a-z0-9][a-z0-9-]*[a-z0-9]\.myshopify\.com)"
_ORDER = rf"^/_simulator/shops/{_SHOP}/orders/(?P<order>[^/]+?)"
_FULFILLMENT = rf"^/_simulator/shops/{_SHOP}/fulfillments/(?P<fulfillment>[0-9]+)"
ROUTES = [
    ("GET", re.compile(rf"{_ORDER}\.json$"), get_order),
    ("POST", re.compile(rf"{_ORDER}/fulfillments$"), fulfil),
    ("POST", re.compile(rf"{_ORDER}/accept$"), accept),
    ("POST", re.compile(rf"{_ORDER}/holds$"), merchant_hold),
    ("POST", re.compile(rf"{_ORDER}/cancel$"), cancel_order),
    ("POST", re.compile(rf"{_FULFILLMENT}/tracking$"), set_tracking),
    ("POST", re.compile(rf"{_FULFILLMENT}/status$"), set_status),
    ("POST", re.compile(rf"{_FULFILLMENT}/cancel$"), cancel_fulfillment),
]
REFUSED = FulfillmentRefused


def dispatch(state: SimulatorState, path: str, body: dict[str, Any]) -> Response:
    """Run one of ROUTES' POST actions directly (the inspection page's form), errors as the API gives them."""
    for method, pattern, handler in ROUTES:
        match = pattern.match(path)
        if method == "POST" and match:
            try:
                return handler(
                    state, Request(method="POST", path=path, query={}, headers={}, body=b""), match.groupdict(), body
                )
            except LookupError as exc:
                return Response.json({"error": str(exc)}, status=404)
            except FulfillmentRefused as exc:
                return Response.json({"error": str(exc)}, status=409)
            except (ValueError, TypeError, KeyError) as exc:
                return Response.json({"error": f"{type(exc).__name__}: {exc}"}, status=400)
    return Response.json({"error": f"no action {path}"}, status=404)
