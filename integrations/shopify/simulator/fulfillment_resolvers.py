"""Root fields for fulfilment orders and their holds, with the scopes Shopify requires.

- ``fulfillmentOrder(id:)``: ``read_merchant_managed_fulfillment_orders`` (FulfillmentOrder object).
- ``fulfillmentOrderHold`` / ``fulfillmentOrderReleaseHold``:
  ``write_merchant_managed_fulfillment_orders`` (or a third-party/marketplace scope, not simulated).
https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentOrderHold
https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentOrderReleaseHold
"""

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from integrations.shopify.simulator import fulfillment_orders
from integrations.shopify.simulator.fulfillment_nodes import fulfillment_order_node, hold_node
from integrations.shopify.simulator.nodes import gid_number, line_item_nodes


def _fo_node(info: GraphQLResolveInfo, fo_id: int | None) -> dict[str, Any] | None:
    ctx = info.context
    found = fulfillment_orders.find(ctx.shop, fo_id)
    if found is None:
        return None
    order, fo = found
    return fulfillment_order_node(order, fo, ctx.shop, line_item_nodes(order, ctx.shop), ctx.token.client_id)


def _fulfillment_order(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:  # noqa: A002 - the GraphQL argument
    with info.context.state.lock:
        return _fo_node(info, gid_number(id, "FulfillmentOrder"))


def _hold(info: GraphQLResolveInfo, id: str, fulfillmentHold: dict) -> dict[str, Any]:  # noqa: A002, N803
    ctx = info.context
    with ctx.state.lock:
        answer = fulfillment_orders.place_hold(
            ctx.state, ctx.shop, gid_number(id, "FulfillmentOrder"), fulfillmentHold, ctx.token.client_id
        )
        return {
            "__typename": "FulfillmentOrderHoldPayload",
            "userErrors": answer["errors"],
            "fulfillmentHold": hold_node(answer["hold"], ctx.token.client_id) if answer["hold"] else None,
            "fulfillmentOrder": _fo_node(info, answer["held"].id) if answer["held"] else None,
            "remainingFulfillmentOrder": _fo_node(info, answer["remaining"].id) if answer["remaining"] else None,
        }


def _release(
    info: GraphQLResolveInfo,
    id: str,  # noqa: A002 - the GraphQL argument
    holdIds: list[str] | None = None,  # noqa: N803
    externalId: str | None = None,  # noqa: N803
) -> dict[str, Any]:
    ctx = info.context
    with ctx.state.lock:
        answer = fulfillment_orders.release_holds(
            ctx.state, ctx.shop, gid_number(id, "FulfillmentOrder"), holdIds, externalId, ctx.token.client_id
        )
        fo = answer["fulfillment_order"]
        return {
            "__typename": "FulfillmentOrderReleaseHoldPayload",
            "userErrors": answer["errors"],
            "fulfillmentOrder": _fo_node(info, fo.id) if fo else None,
        }


QUERY_ROOT: dict[str, Callable[..., Any]] = {"fulfillmentOrder": _fulfillment_order}
MUTATION_ROOT: dict[str, Callable[..., Any]] = {
    "fulfillmentOrderHold": _hold,
    "fulfillmentOrderReleaseHold": _release,
}
REQUIRED_SCOPE: dict[str, str] = {
    "fulfillmentOrder": "read_merchant_managed_fulfillment_orders",
    "fulfillmentOrderHold": "write_merchant_managed_fulfillment_orders",
    "fulfillmentOrderReleaseHold": "write_merchant_managed_fulfillment_orders",
}
