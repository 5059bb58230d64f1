"""Root fields the simulator executes, keyed by field name, with the scope each one needs.

Every other root field of the schema is refused up front with "not simulated: <field>" (see
admin_graphql.py), so the app finds out at once when it starts relying on something new.
Access scopes: https://shopify.dev/docs/api/usage/access-scopes
"""

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from integrations.shopify.simulator import (
    bulk_run,
    bulk_uploads,
    fulfillment_resolvers,
    order_cancel,
    order_edit,
    order_payments,
    order_update,
    search,
)
from integrations.shopify.simulator.connections import paginate
from integrations.shopify.simulator.models import WebhookSubscription
from integrations.shopify.simulator.nodes import (
    gid_number,
    order_node,
    shop_node,
    variant_node,
    webhook_subscription_node,
)
from integrations.shopify.simulator.order_create import create_order
from integrations.shopify.simulator.state import now_iso


def _shop(info: GraphQLResolveInfo) -> dict[str, Any]:
    return shop_node(info.context.shop)


def _product_variants(info: GraphQLResolveInfo, query: str | None = None, **page: Any) -> dict[str, Any]:
    ctx = info.context
    ctx.state.count("variant_searches")
    with ctx.state.lock:
        variants = sorted(ctx.shop.variants.values(), key=lambda v: v.id)
    wanted = search.matcher(
        query,
        lambda v: {
            "sku": v.sku,
            "id": v.id,
            "product_id": v.product_id,
            "title": v.title,
            "": [v.sku, v.title, v.product_title],
        },
    )
    connection = paginate(
        [v for v in variants if wanted(v)],
        kind="ProductVariant",
        id_of=lambda v: v.id,
        node_of=lambda v: variant_node(v, ctx.shop),
        **page,
    )
    ctx.variants_returned.extend(int(node["legacyResourceId"]) for node in connection["nodes"])
    return connection


def _orders(info: GraphQLResolveInfo, query: str | None = None, **page: Any) -> dict[str, Any]:
    """Search reads an index that lags writes by ``search_index_delay_seconds``, as Shopify's does."""
    ctx = info.context
    now = ctx.state.monotonic()
    with ctx.state.lock:
        orders = list(ctx.shop.orders)
        delay = ctx.shop.search_index_delay_seconds
    if query:
        ctx.state.count("order_searches")
        orders = [o for o in orders if now - o.created_monotonic >= delay]
    wanted = search.matcher(
        query,
        lambda o: {
            "source_identifier": o.source_identifier,
            "name": [o.name, o.name.lstrip("#")],
            "email": o.email,
            "tag": o.tags,
            "id": o.id,
            "financial_status": o.display_financial_status.lower(),
            "updated_at": o.updated_at or o.created_at,
            "created_at": o.created_at,
            "": [o.name, o.email, o.source_identifier],
        },
    )
    return paginate(
        [o for o in orders if wanted(o)],
        kind="Order",
        id_of=lambda o: o.id,
        node_of=lambda o: order_node(o, ctx.shop),
        **{k: v for k, v in page.items() if k in ("first", "after", "last", "before", "reverse")},
    )


def _order(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:  # noqa: A002 - the GraphQL argument
    ctx = info.context
    number = gid_number(id, "Order")
    with ctx.state.lock:
        found = next((o for o in ctx.shop.orders if o.id == number), None)
        return order_node(found, ctx.shop) if found else None


def _order_create(info: GraphQLResolveInfo, order: dict, options: dict | None = None) -> dict[str, Any]:
    return create_order(info.context, order, options)


def _webhook_subscription_create(info: GraphQLResolveInfo, topic: str, webhookSubscription: dict) -> dict:  # noqa: N803
    ctx = info.context
    uri = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl")
    payload: dict[str, Any] = {"__typename": "WebhookSubscriptionCreatePayload", "webhookSubscription": None}
    if not uri:
        payload["userErrors"] = [_user_error(["webhookSubscription", "callbackUrl"], "Address can't be blank")]
        return payload
    with ctx.state.lock:
        if any(s.topic == topic and s.uri == uri for s in ctx.shop.webhook_subscriptions):
            payload["userErrors"] = [
                _user_error(["webhookSubscription", "callbackUrl"], "Address for this topic has already been taken")
            ]
            return payload
        subscription = WebhookSubscription(
            id=ctx.state.next_id(),
            topic=topic,
            uri=uri,
            format=webhookSubscription.get("format") or "JSON",
            created_at=now_iso(),
            filter=webhookSubscription.get("filter"),
            include_fields=list(webhookSubscription.get("includeFields") or []),
        )
        ctx.shop.webhook_subscriptions.append(subscription)
    payload["webhookSubscription"] = webhook_subscription_node(subscription, ctx.api_version)
    payload["userErrors"] = []
    return payload


def _user_error(field: list[str], message: str) -> dict[str, Any]:
    return {"__typename": "UserError", "field": field, "message": message}


def _with_context(function: Callable[..., Any]) -> Callable[..., Any]:
    """A resolver of the after-the-push modules (they take the ExecutionContext first)."""
    return lambda info, **args: function(info.context, **args)


QUERY_ROOT: dict[str, Callable[..., Any]] = {
    "shop": _shop,
    "productVariants": _product_variants,
    "orders": _orders,
    "order": _order,
    "job": _with_context(order_cancel.job),
    **fulfillment_resolvers.QUERY_ROOT,
    "bulkOperation": bulk_run.bulk_operation,
    "bulkOperations": bulk_run.bulk_operations,
}
MUTATION_ROOT: dict[str, Callable[..., Any]] = {
    "orderCreate": _order_create,
    "webhookSubscriptionCreate": _webhook_subscription_create,
    # After the push (docs/shopify-simulator.md, "After the push").
    "orderUpdate": _with_context(order_update.order_update),
    "orderEditBegin": _with_context(order_edit.order_edit_begin),
    "orderEditAddVariant": _with_context(order_edit.order_edit_add_variant),
    "orderEditAddCustomItem": _with_context(order_edit.order_edit_add_custom_item),
    "orderEditSetQuantity": _with_context(order_edit.order_edit_set_quantity),
    "orderEditCommit": _with_context(order_edit.order_edit_commit),
    "orderEditAddShippingLine": _with_context(order_edit.order_edit_add_shipping_line),
    "orderEditRemoveShippingLine": _with_context(order_edit.order_edit_remove_shipping_line),
    "orderEditUpdateShippingLine": _with_context(order_edit.order_edit_update_shipping_line),
    "orderCreateManualPayment": _with_context(order_payments.create_manual_payment),
    "refundCreate": lambda info, **args: order_payments.create_refund(info.context, info, **args),
    "orderCancel": _with_context(order_cancel.order_cancel),
    **fulfillment_resolvers.MUTATION_ROOT,
    "stagedUploadsCreate": bulk_uploads.staged_uploads_create,
    "bulkOperationRunMutation": bulk_run.run_mutation,
    "bulkOperationCancel": bulk_run.cancel,
}
# Not subject to the cost-based rate limit: "Most GraphQL Admin API requests ... are subject to rate
# limits, but the bulkOperationRunMutation request isn't" (bulk import guide).
RATE_LIMIT_FREE = frozenset({"bulkOperationRunMutation"})
REQUIRED_SCOPE: dict[str, str] = {
    "productVariants": "read_products",
    "orders": "read_orders",
    "order": "read_orders",
    "orderCreate": "write_orders",
    "orderUpdate": "write_orders",
    "orderEditBegin": "write_order_edits",
    "orderEditAddVariant": "write_order_edits",
    "orderEditAddCustomItem": "write_order_edits",
    "orderEditSetQuantity": "write_order_edits",
    "orderEditCommit": "write_order_edits",
    "orderEditAddShippingLine": "write_order_edits",
    "orderEditRemoveShippingLine": "write_order_edits",
    "orderEditUpdateShippingLine": "write_order_edits",
    "orderCreateManualPayment": "write_orders",
    "refundCreate": "write_orders",
    "orderCancel": "write_orders",
    **fulfillment_resolvers.REQUIRED_SCOPE,
}
# A bulk operation's lines need the scope of the mutation they run (checked per line by its resolver
# path: orderCreate needs write_orders); starting one needs no scope of its own.
