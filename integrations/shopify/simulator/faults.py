"""Faults armed per shop through the control API, each firing for the next N Admin API requests.

- ``http_5xx``: answer 502/503 (nothing executed): a transient Shopify outage.
- ``drop_connection`` ``before``/``after``: close the socket with no answer, before or after the
  request was executed: the client cannot tell which.
- ``timeout_after_create``: the order IS created, then the answer is withheld for ``hold_seconds``
  and the connection closed: the ambiguous outcome orderCreate (no idempotency key) forces the app
  to resolve by searching ``source_identifier``.
- ``revoke_after``: every token of the shop is revoked once N more requests were served (the
  merchant uninstalls mid-batch).
- ``http_5xx_permanent``: every request answers 5xx until the fault is disarmed (a long outage).
- ``user_errors_for``: orderCreate of these source identifiers answers ``userErrors`` (see
  order_create.py); ``invalid_variables_for``: it is refused as a variable the schema rejects.
- ``replace_variants_after_lookup``: these SKUs' variants are re-created (new ids) just after a
  productVariants query returned them; the app's next orderCreate names a variant that is gone.
- ``lose_answer_after``: root mutation names (``orderEditCommit``, ``orderUpdate``, ``refundCreate``...);
  the next request executing one of them is answered 5xx (``lose_answer_as: http_5xx``) or dropped
  (``drop``) AFTER it executed: the ambiguous outcome an app resolves by reading the order back.
Counters are decremented under the state lock, so N concurrent requests consume exactly N faults.

A shop's availability is a state, not a counter: ``frozen`` (the owner has not paid Shopify's bill)
answers every Admin API request 402, ``locked`` 423, as Shopify does, until it is set ``open``
again (https://shopify.dev/docs/api/usage/response-codes). Nothing is executed meanwhile.
Each fault that fires adds to a ``fault_*`` counter (``/_simulator/state.json``): a test can see
that the fault it armed happened.
"""

from dataclasses import replace

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
        if armed.http_5xx > 0 or armed.http_5xx_permanent:
            if not armed.http_5xx_permanent:
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
        lost = next((name for name in ctx.executed_mutations if name in armed.lose_answer_after), None)
        if lost is not None:
            armed.lose_answer_after.remove(lost)
            state.counters["fault_lost_answer"] += 1
            state.counters[f"fault_lost_answer_{lost}"] += 1
            response = _lost_answer(armed)
        elif ctx.created_orders and armed.timeout_after_create > 0:
            armed.timeout_after_create -= 1
            state.counters["fault_timeout_after_create"] += 1
            response = Response.dropped(hold_seconds=armed.hold_seconds)
        elif armed.drop_connection > 0 and armed.drop_when == "after":
            armed.drop_connection -= 1
            state.counters["fault_drop_after"] += 1
            if ctx.created_orders:  # the order exists; the app cannot know it
                state.counters["fault_drop_after_order_created"] += 1
            response = Response.dropped()
    if revoke:
        revoke_shop_tokens(state, shop.domain, reason="revoked (fault)")
        state.count("fault_revoke")
    if ctx.variants_returned:
        _replace_looked_up_variants(state, shop, ctx.variants_returned)
    return response


def _lost_answer(armed) -> Response:
    """The answer to an executed mutation, lost: a 5xx page or a closed connection."""
    if armed.lose_answer_as == "drop":
        return Response.dropped()
    status = armed.http_5xx_status
    text = f"<html><body><h1>{status} {_REASONS[status]}</h1></body></html>"
    return Response(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})


def refused_variables(state: SimulatorState, shop: Shop, variables: dict) -> dict | None:
    """The top-level error Shopify gives for an orderCreate whose input the schema refuses, when the
    order's source identifier is in ``invalid_variables_for`` (None otherwise)."""
    order = variables.get("order") if isinstance(variables, dict) else None
    source = order.get("sourceIdentifier") if isinstance(order, dict) else None
    with state.lock:
        if source is None or source not in shop.faults.invalid_variables_for:
            return None
        state.counters["fault_invalid_variables"] += 1
    return {
        "message": (
            "Variable $order of type OrderCreateOrderInput! was provided invalid value for "
            'currency (Expected "XYZ" to be one of: USD, EUR, GBP, ...)'
        ),
        "locations": [{"line": 1, "column": 22}],
        "extensions": {
            "code": "INVALID_VARIABLE",
            "value": {"currency": "XYZ"},
            "problems": [{"path": ["currency"], "explanation": 'Expected "XYZ" to be one of: USD, EUR, GBP, ...'}],
        },
    }


def user_errors(state: SimulatorState, shop: Shop, source_identifier: str | None) -> list[dict] | None:
    """The userErrors armed for this order's source identifier (None: not armed)."""
    with state.lock:
        armed = shop.faults
        if source_identifier is None or source_identifier not in armed.user_errors_for:
            return None
        state.counters["fault_user_errors"] += 1
        return [{"field": list(armed.user_error_field), "message": armed.user_error_message, "code": "INVALID"}]


def _replace_looked_up_variants(state: SimulatorState, shop: Shop, variant_ids: list[int]) -> None:
    with state.lock:
        armed = shop.faults
        for variant_id in variant_ids:
            variant = shop.variants.get(variant_id)
            if variant is None or variant.sku not in armed.replace_variants_after_lookup:
                continue
            armed.replace_variants_after_lookup.remove(variant.sku)
            del shop.variants[variant_id]
            replacement = replace(variant, id=state.next_id(), product_id=state.next_id())
            shop.variants[replacement.id] = replacement
            state.counters["fault_variant_replaced"] += 1
