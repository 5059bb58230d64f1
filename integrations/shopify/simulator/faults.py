"""Faults armed per shop through the control API, each firing for the next N Admin API requests.

- ``http_5xx``: answer 502/503 (nothing executed): a transient Shopify outage.
- ``drop_connection`` ``before``/``after``: close the socket with no answer, before or after the
  request was executed: the client cannot tell which.
- ``timeout_after_create``: the order IS created, then the answer is withheld for ``hold_seconds``
  and the connection closed: the ambiguous outcome orderCreate (no idempotency key) forces the app
  to resolve by searching ``source_identifier``.
- ``revoke_after``: every token of the shop is revoked once N more requests were served (the
  merchant uninstalls mid-batch).
Counters are decremented under the state lock, so N concurrent requests consume exactly N faults.

A shop's availability is a state, not a counter: ``frozen`` (the owner has not paid Shopify's bill)
answers every Admin API request 402, ``locked`` 423, as Shopify does, until it is set ``open``
again (https://shopify.dev/docs/api/usage/response-codes). Nothing is executed meanwhile.
"""

from integrations.shopify.simulator.context import ExecutionContext
from integrations.shopify.simulator.credentials import revoke_shop_tokens
from integrations.shopify.simulator.models import Shop
from integrations.shopify.simulator.state import SimulatorState
from integrations.shopify.simulator.wire import Response

_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}

# What Shopify answers a closed shop (bodies as seen from Shopify's Admin API).
AVAILABILITY = {
    "open": None,
    "frozen": (402, "Unavailable Shop"),
    "locked": (423, "This store is unavailable"),
}


def set_availability(state: SimulatorState, domain: str, availability: str) -> Shop:
    if availability not in AVAILABILITY:
        raise ValueError(f"availability must be one of {', '.join(AVAILABILITY)}")
    with state.lock:
        shop = state.require_shop(domain)
        shop.availability = availability
    return shop


def before_execution(state: SimulatorState, shop: Shop) -> Response | None:
    with state.lock:
        closed = AVAILABILITY.get(shop.availability)
        if closed is not None:
            status, message = closed
            state.counters[f"shop_{shop.availability}"] += 1
            return Response.json({"errors": message}, status=status)
        armed = shop.faults
        if armed.http_5xx > 0:
            armed.http_5xx -= 1
            state.counters["fault_http_5xx"] += 1
            status = armed.http_5xx_status
            text = f"<html><body><h1>{status} {_REASONS[status]}</h1></body></html>"
            return Response(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})
        if armed.drop_connection > 0 and armed.drop_when == "before":
            armed.drop_connection -= 1
            state.counters["fault_drop_before"] += 1
            return Response.dropped()
    return None


def after_execution(state: SimulatorState, shop: Shop, ctx: ExecutionContext, response: Response) -> Response:
    revoke = False
    with state.lock:
        armed = shop.faults
        if armed.revoke_after is not None:
            armed.revoke_after -= 1
            if armed.revoke_after <= 0:
                armed.revoke_after = None
                revoke = True
        if ctx.created_orders and armed.timeout_after_create > 0:
            armed.timeout_after_create -= 1
            state.counters["fault_timeout_after_create"] += 1
            response = Response.dropped(hold_seconds=armed.hold_seconds)
        elif armed.drop_connection > 0 and armed.drop_when == "after":
            armed.drop_connection -= 1
            state.counters["fault_drop_after"] += 1
            response = Response.dropped()
    if revoke:
        revoke_shop_tokens(state, shop.domain, reason="revoked (fault)")
        state.count("fault_revoke")
    return response
