"""REST bodies of the fulfilment webhooks, as Shopify sends them (fulfillments/create|update, the
REST fulfilment; orders/cancelled, the REST order), for tests that post them signed by the simulator."""

from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fulfilment_body(
    *,
    order: int = 1001,
    fulfilment: int = 7001,
    status: str = "success",
    numbers: tuple[str, ...] = ("1Z999AA10123456784",),
    company: str = "UPS",
    items: tuple[tuple[str, int], ...] = (("SKY-CORE", 1),),
    updated: datetime | None = None,
    shipment_status: str | None = None,
) -> dict:
    updated = updated or datetime.now(UTC)
    return {
        "id": fulfilment,
        "admin_graphql_api_id": f"gid://shopify/Fulfillment/{fulfilment}",
        "order_id": order,
        "status": status,
        "created_at": iso(updated - timedelta(minutes=5)),
        "updated_at": iso(updated),
        "service": "manual",
        "tracking_company": company,
        "tracking_number": numbers[0] if numbers else None,
        "tracking_numbers": list(numbers),
        "tracking_url": f"https://track.example/{numbers[0]}" if numbers else None,
        "tracking_urls": [f"https://track.example/{n}" for n in numbers],
        "shipment_status": shipment_status,
        "name": "#1001.1",
        "destination": {"first_name": "Ada", "address1": "1 Private Lane", "city": "Springfield", "zip": "12345"},
        "line_items": [{"id": i + 1, "sku": sku, "quantity": qty} for i, (sku, qty) in enumerate(items)],
    }


def cancelled_order_body(*, order: int = 1001, when: datetime | None = None) -> dict:
    return {
        "id": order,
        "admin_graphql_api_id": f"gid://shopify/Order/{order}",
        "cancelled_at": iso(when or datetime.now(UTC)),
        "cancel_reason": "customer",
        "customer": {"id": 1, "email": "ada@example.com"},
        "line_items": [],
    }
