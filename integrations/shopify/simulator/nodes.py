"""Stored records -> the dicts graphql-core resolves fields from.

Each dict carries ``__typename`` so interfaces and unions resolve; a field missing from a dict is
answered with a "not simulated" error by the executor rather than a silent null. Money is a
``MoneyV2`` with a Decimal string amount, as Shopify returns it.
"""

from decimal import Decimal
from typing import Any

from integrations.shopify.simulator.connections import paginate
from integrations.shopify.simulator.fulfillment_nodes import order_fields
from integrations.shopify.simulator.models import Order, Shop, Variant, WebhookSubscription
from integrations.shopify.simulator.order_lifecycle import lifecycle_fields, line_lifecycle_fields, patch_line_nodes
from integrations.shopify.simulator.plans import plan_named

CENT = Decimal("0.01")


def gid_number(gid: str, kind: str) -> int | None:
    """``gid://shopify/Order/12`` -> 12 (None when it is not a global id of ``kind``)."""
    prefix = f"gid://shopify/{kind}/"
    if not gid.startswith(prefix) or not gid[len(prefix) :].isdigit():
        return None
    return int(gid[len(prefix) :])


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"__typename": "MoneyV2", "amount": str(amount.quantize(CENT)), "currencyCode": currency}


def money_bag(amount: Decimal, currency: str) -> dict[str, Any]:
    value = money(amount, currency)
    return {"__typename": "MoneyBag", "shopMoney": value, "presentmentMoney": value}


def shop_node(shop: Shop) -> dict[str, Any]:
    plan = plan_named(shop.plan)
    return {
        "__typename": "Shop",
        "id": shop.gid,
        "name": shop.name,
        "email": shop.email,
        "contactEmail": shop.email,
        "myshopifyDomain": shop.domain,
        "url": f"https://{shop.domain}",
        "currencyCode": shop.currency,
        "enabledPresentmentCurrencies": [shop.currency],
        "ianaTimezone": "America/New_York",
        "taxesIncluded": False,
        "weightUnit": "KILOGRAMS",
        "createdAt": shop.created_at,
        "shopOwnerName": f"{shop.name} Owner",
        "primaryDomain": {
            "__typename": "Domain",
            "id": f"gid://shopify/Domain/{shop.id}",
            "host": shop.domain,
            "url": f"https://{shop.domain}",
            "sslEnabled": True,
        },
        "plan": {
            "__typename": "ShopPlan",
            "displayName": plan.display_name,
            "publicDisplayName": plan.display_name,
            "partnerDevelopment": plan.partner_development,
            "shopifyPlus": plan.shopify_plus,
        },
    }


def product_node(variant: Variant, shop: Shop) -> dict[str, Any]:
    return {
        "__typename": "Product",
        "id": f"gid://shopify/Product/{variant.product_id}",
        "legacyResourceId": str(variant.product_id),
        "title": variant.product_title,
        "handle": variant.product_title.lower().replace(" ", "-"),
        "status": "ACTIVE",
        "vendor": shop.name,
        "productType": "",
    }


def variant_node(variant: Variant, shop: Shop) -> dict[str, Any]:
    price = str(variant.price.quantize(CENT))
    return {
        "__typename": "ProductVariant",
        "id": f"gid://shopify/ProductVariant/{variant.id}",
        "legacyResourceId": str(variant.id),
        "sku": variant.sku,
        "price": price,
        "compareAtPrice": None,
        "barcode": None,
        "title": variant.title,
        "displayName": f"{variant.product_title} - {variant.title}",
        "inventoryPolicy": variant.inventory_policy,
        "inventoryQuantity": variant.inventory_quantity,
        "availableForSale": variant.inventory_policy == "CONTINUE" or variant.inventory_quantity > 0,
        "taxable": variant.taxable,
        "createdAt": shop.created_at,
        "updatedAt": shop.created_at,
        "selectedOptions": [{"__typename": "SelectedOption", "name": "Title", "value": variant.title}],
        "product": product_node(variant, shop),
        "inventoryItem": {
            "__typename": "InventoryItem",
            "id": f"gid://shopify/InventoryItem/{variant.id}",
            "legacyResourceId": str(variant.id),
            "sku": variant.sku,
            "tracked": True,
        },
    }


def _tax_line(line: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "__typename": "TaxLine",
        "title": line["title"],
        "rate": float(line["rate"]),
        "ratePercentage": float(line["rate"] * 100),
        "priceSet": money_bag(line["amount"], currency),
        "channelLiable": line.get("channel_liable", False),
        "source": None,
    }


def _line_item_node(line: dict[str, Any], shop: Shop, currency: str) -> dict[str, Any]:
    variant = shop.variants.get(line["variant_id"]) if line.get("variant_id") else None
    unit, total = line["unit_price"], line["unit_price"] * line["quantity"]
    return {
        "__typename": "LineItem",
        "id": f"gid://shopify/LineItem/{line['id']}",
        "title": line["title"],
        "name": line["title"] if not line.get("variant_title") else f"{line['title']} - {line['variant_title']}",
        "variantTitle": line.get("variant_title"),
        "vendor": line.get("vendor"),
        "quantity": line["quantity"],
        "currentQuantity": line["quantity"],
        "sku": line.get("sku"),
        "requiresShipping": line["requires_shipping"],
        "taxable": line["taxable"],
        "isGiftCard": line.get("gift_card", False),
        "customAttributes": [{"__typename": "Attribute", **p} for p in line.get("properties", [])],
        "variant": variant_node(variant, shop) if variant else None,
        "product": product_node(variant, shop) if variant else None,
        "originalUnitPriceSet": money_bag(unit, currency),
        "discountedUnitPriceSet": money_bag(unit, currency),
        "originalTotalSet": money_bag(total, currency),
        "discountedTotalSet": money_bag(total, currency),
        "totalDiscountSet": money_bag(Decimal(0), currency),
        "taxLines": [_tax_line(t, currency) for t in line["tax_lines"]],
    } | line_lifecycle_fields(line)


def _shipping_line_node(line: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "__typename": "ShippingLine",
        "id": f"gid://shopify/ShippingLine/{line['id']}",
        "title": line["title"],
        "code": line.get("code"),
        "source": line.get("source"),
        "custom": True,
        "isRemoved": bool(line.get("removed")),
        "originalPriceSet": money_bag(line["price"], currency),
        "currentDiscountedPriceSet": money_bag(Decimal(0) if line.get("removed") else line["price"], currency),
        "discountedPriceSet": money_bag(line["price"], currency),
        "taxLines": [_tax_line(t, currency) for t in line["tax_lines"]],
    }


def _transaction_node(transaction: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "__typename": "OrderTransaction",
        "id": f"gid://shopify/OrderTransaction/{transaction['id']}",
        "kind": transaction["kind"],
        "status": transaction["status"],
        "gateway": transaction["gateway"],
        "formattedGateway": transaction.get("formatted_gateway", transaction["gateway"]),
        "manualPaymentGateway": transaction.get("manual", transaction["gateway"] == "manual"),
        "authorizationCode": transaction.get("authorization_code"),
        "amountSet": money_bag(transaction["amount"], currency),
        "processedAt": transaction["processed_at"],
        "createdAt": transaction["processed_at"],
        "test": transaction["test"],
    }


def _address_node(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if address is None:
        return None
    fields = ("address1", "address2", "city", "company", "firstName", "lastName", "phone", "provinceCode", "zip")
    node = {"__typename": "MailingAddress", **{key: address.get(key) for key in fields}}
    name = " ".join(p for p in (address.get("firstName"), address.get("lastName")) if p)
    node |= {
        "countryCode": address.get("countryCode"),
        "countryCodeV2": address.get("countryCode"),
        "country": address.get("countryName"),
        "province": address.get("provinceName"),
        "name": name or None,
    }
    return node


def line_item_nodes(order: Order, shop: Shop) -> dict[int, dict[str, Any]]:
    """The order's LineItem nodes by line item id."""
    return {line["id"]: _line_item_node(line, shop, order.currency) for line in order.line_items}


def order_node(order: Order, shop: Shop) -> dict[str, Any]:
    currency = order.currency
    outstanding = max(order.total - order.received, Decimal(0))
    line_nodes = line_item_nodes(order, shop)
    patch_line_nodes(order, line_nodes)  # quantities after edits, refunds, fulfilments
    line_items = list(line_nodes.values())
    shipping_lines = [_shipping_line_node(line, currency) for line in order.shipping_lines]
    return {
        "__typename": "Order",
        "id": order.gid,
        "legacyResourceId": str(order.id),
        "name": order.name,
        "number": order.number,
        "email": order.email,
        "phone": order.phone,
        "note": order.note,
        "poNumber": order.po_number,
        "createdAt": order.created_at,
        "processedAt": order.processed_at or order.created_at,
        "closed": False,
        "confirmed": True,
        "test": order.test,
        "sourceIdentifier": order.source_identifier,
        "sourceName": order.source_name,
        "tags": list(order.tags),
        "customAttributes": [{"__typename": "Attribute", **a} for a in order.custom_attributes],
        "displayFinancialStatus": order.display_financial_status,
        "currencyCode": currency,
        "presentmentCurrencyCode": currency,
        "taxesIncluded": order.taxes_included,
        "subtotalPriceSet": money_bag(order.subtotal, currency),
        "totalShippingPriceSet": money_bag(order.total_shipping, currency),
        "totalTaxSet": money_bag(order.total_tax, currency),
        "totalDiscountsSet": money_bag(Decimal(0), currency),
        "totalPriceSet": money_bag(order.total, currency),
        "currentTotalPriceSet": money_bag(order.total, currency),
        "totalReceivedSet": money_bag(order.received, currency),
        "totalOutstandingSet": money_bag(outstanding, currency),
        "fullyPaid": outstanding == 0,
        "unpaid": order.received == 0 and order.total > 0,
        "shippingAddress": _address_node(order.shipping_address),
        "billingAddress": _address_node(order.billing_address),
        "customer": order.customer,
        "taxLines": [_tax_line(t, currency) for t in order.tax_lines],
        "transactions": [_transaction_node(t, currency) for t in order.transactions],
        "lineItems": lambda _info, **args: paginate(
            line_items, kind="LineItem", id_of=lambda n: int(n["id"].rsplit("/", 1)[1]), node_of=dict, **args
        ),
        "shippingLines": lambda _info, includeRemovals=False, **args: paginate(
            [n for n in shipping_lines if includeRemovals or not n["isRemoved"]],
            kind="ShippingLine",
            id_of=lambda n: int(n["id"].rsplit("/", 1)[1]),
            node_of=dict,
            **args,
        ),
        **order_fields(order, shop, line_nodes),
    } | lifecycle_fields(order, currency)


def webhook_subscription_node(subscription: WebhookSubscription, api_version: str) -> dict[str, Any]:
    return {
        "__typename": "WebhookSubscription",
        "id": f"gid://shopify/WebhookSubscription/{subscription.id}",
        "legacyResourceId": str(subscription.id),
        "topic": subscription.topic,
        "uri": subscription.uri,
        "callbackUrl": subscription.uri,
        "format": subscription.format,
        "filter": subscription.filter,
        "includeFields": list(subscription.include_fields),
        "metafieldNamespaces": [],
        "metafields": [],
        "name": None,
        "createdAt": subscription.created_at,
        "updatedAt": subscription.created_at,
        "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": subscription.uri},
        "apiVersion": {
            "__typename": "ApiVersion",
            "handle": api_version,
            "displayName": api_version,
            "supported": True,
        },
    }
