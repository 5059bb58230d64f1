"""A client of the Shopify simulator's control API (``/_simulator/...``, docs/shopify-simulator.md)
and of its shops' endpoints: used by the tests (``shopify_sim``), the benchmarks and the drills."""

from typing import Any

import httpx


class SimulatorControl:
    """A client for the simulator's control API (``/_simulator/...``) and its shops' endpoints."""

    def __init__(self, url: str, *, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def _post(self, path: str, payload: Any = None) -> Any:
        response = self.http.post(path, json=payload if payload is not None else {})
        response.raise_for_status()
        return response.json()

    # --- shops and catalog ---
    def create_shop(self, domain: str, **settings: Any) -> dict[str, Any]:
        """Settings: name, currency, plan, accept_non_expiring, search_index_delay_seconds, latency_ms,
        access_token_ttl_seconds, refresh_token_ttl_seconds, throttle_status_code, scopes, products."""
        return self._post("/_simulator/shops", {"domain": domain, **settings})

    def update_shop(self, domain: str, **settings: Any) -> dict[str, Any]:
        response = self.http.patch(f"/_simulator/shops/{domain}", json=settings)
        response.raise_for_status()
        return response.json()

    def seed_products(self, domain: str, products: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``[{"sku", "price", "title"?, "inventory_policy"?}]`` or products with ``variants``."""
        return self._post(f"/_simulator/shops/{domain}/products", {"products": products})["variants"]

    # --- credentials ---
    def mint_token(
        self, domain: str, *, kind: str = "expiring", scopes: list[str] | None = None, ttl_seconds: float | None = None
    ) -> dict[str, Any]:
        """An offline token as the OAuth endpoint answers it (``kind``: expiring | legacy | custom_app)."""
        payload: dict[str, Any] = {"kind": kind}
        if scopes is not None:
            payload["scopes"] = scopes
        if ttl_seconds is not None:
            payload["ttl_seconds"] = ttl_seconds
        return self._post(f"/_simulator/shops/{domain}/tokens", payload)

    def mint_id_token(self, domain: str, **overrides: Any) -> str:
        """Overrides: user_id, lifetime_seconds, issued_offset_seconds, aud, secret, claims."""
        return self._post(f"/_simulator/shops/{domain}/id_token", overrides)["id_token"]

    def revoke(self, domain: str, token: str | None = None) -> int:
        return self._post(f"/_simulator/shops/{domain}/revoke", {"token": token} if token else {})["revoked"]

    def uninstall(self, domain: str, *, deliver: bool = True) -> dict[str, Any]:
        return self._post(f"/_simulator/shops/{domain}/uninstall", {"deliver": deliver})

    def set_scopes(self, domain: str, scopes: list[str], *, deliver: bool = True) -> dict[str, Any]:
        return self._post(f"/_simulator/shops/{domain}/scopes", {"scopes": scopes, "deliver": deliver})

    # --- faults, rate limits, webhooks ---
    def fault(self, domain: str, **faults: Any) -> dict[str, Any]:
        """http_5xx, http_5xx_status, http_5xx_permanent, timeout_after_create, hold_seconds,
        drop_connection, drop_when, revoke_after, user_errors_for (with user_error_field and
        user_error_message), invalid_variables_for, replace_variants_after_lookup, drop_webhooks (N
        webhook deliveries lost), drop_webhooks_permanent."""
        return self._post(f"/_simulator/shops/{domain}/faults", faults)

    def set_availability(self, domain: str, availability: str) -> str:
        """``frozen`` (402), ``locked`` (423) or ``open``: Shopify closes the shop to the API, or reopens it."""
        return self._post(f"/_simulator/shops/{domain}/availability", {"availability": availability})["availability"]

    def set_bucket(self, domain: str, currently_available: float) -> dict[str, Any]:
        return self._post(f"/_simulator/shops/{domain}/bucket", {"currently_available": currently_available})

    def bulk(self, domain: str, **settings: Any) -> dict[str, Any]:
        """The bulk runner (lines_per_second, start_delay_seconds, window) and its faults
        (fail_after_lines, cancel_after_lines, lose_finish_webhooks, results_5xx, refuse_with +
        refuse_times, access_denied_times, line_error_for); with no argument: what it holds."""
        if not settings:
            response = self.http.get(f"/_simulator/shops/{domain}/bulk")
            response.raise_for_status()
            return response.json()
        return self._post(f"/_simulator/shops/{domain}/bulk", settings)

    def trigger_webhook(self, domain: str, topic: str, *, deliver: bool = True, **extra: Any) -> dict[str, Any]:
        return self._post(f"/_simulator/shops/{domain}/webhooks", {"topic": topic, "deliver": deliver, **extra})

    def redeliver(self, webhook_id: str, *, deliver: bool = True) -> dict[str, Any]:
        return self._post(f"/_simulator/webhooks/{webhook_id}/redeliver", {"deliver": deliver})

    def configure(self, **config: Any) -> dict[str, Any]:
        """latency_ms, webhook_path, app_url, catalog, webhook_topics."""
        return self._post("/_simulator/config", config)

    # --- the warehouse and the merchant (integrations/shopify/simulator/fulfillment_control.py) ---
    # ``order``: the order's numeric id, gid, name or source identifier. A refusal Shopify would give
    # (fulfilling a held order...) raises httpx.HTTPStatusError with status 409.
    def order(self, domain: str, order: str) -> dict[str, Any]:
        """The order as state.json shows it, with ``fulfillment_orders`` and ``fulfillments``."""
        response = self.http.get(f"/_simulator/shops/{domain}/orders/{order}.json")
        response.raise_for_status()
        return response.json()

    def fulfil(
        self, domain: str, order: str, *, line_items: list[dict[str, Any]] | None = None,
        tracking: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """``line_items``: [{"sku", "quantity"}] (None: all that is left); ``tracking``: [{"number",
        "company", "url"}]. -> {"fulfillment": REST payload, "order", "deliveries"}."""
        body: dict[str, Any] = {"tracking": tracking or []}
        if line_items is not None:
            body["line_items"] = line_items
        return self._post(f"/_simulator/shops/{domain}/orders/{order}/fulfillments", body)

    def accept_by_service(self, domain: str, order: str, fulfillment_order_id: str | None = None) -> dict[str, Any]:
        body = {"fulfillment_order_id": fulfillment_order_id} if fulfillment_order_id else {}
        return self._post(f"/_simulator/shops/{domain}/orders/{order}/accept", body)

    def hold_as_merchant(self, domain: str, order: str, reason: str = "OTHER", notes: str | None = None) -> dict:
        return self._post(f"/_simulator/shops/{domain}/orders/{order}/holds", {"reason": reason, "reason_notes": notes})

    def cancel_order_as_merchant(self, domain: str, order: str, reason: str = "customer") -> dict[str, Any]:
        return self._post(f"/_simulator/shops/{domain}/orders/{order}/cancel", {"reason": reason})

    def set_tracking(self, domain: str, fulfillment_id: str, tracking: list[dict[str, Any]]) -> dict[str, Any]:
        return self._post(
            f"/_simulator/shops/{domain}/fulfillments/{_number(fulfillment_id)}/tracking", {"tracking": tracking}
        )

    def set_shipment_status(self, domain: str, fulfillment_id: str, status: str) -> dict[str, Any]:
        """``in_transit``, ``out_for_delivery``, ``delivered``, ``attempted_delivery`` or ``failure``."""
        return self._post(
            f"/_simulator/shops/{domain}/fulfillments/{_number(fulfillment_id)}/status", {"status": status}
        )

    def cancel_fulfillment(self, domain: str, fulfillment_id: str) -> dict[str, Any]:
        return self._post(f"/_simulator/shops/{domain}/fulfillments/{_number(fulfillment_id)}/cancel")

    # --- inspection ---
    def merchant_edit(self, domain: str, order_id: int | str, **changes: Any) -> dict[str, Any]:
        """The merchant changes an order in the admin (email, phone, note, tags, shippingAddress,
        customAttributes, poNumber): ``updatedAt`` moves; answers the order as ``orders()`` lists it."""
        number = str(order_id).rsplit("/", 1)[-1]
        return self._post(f"/_simulator/shops/{domain}/orders/{number}/merchant_edit", changes)

    def orders(self, domain: str) -> list[dict[str, Any]]:
        response = self.http.get(f"/_simulator/shops/{domain}/orders.json")
        response.raise_for_status()
        return response.json()["orders"]

    def state(self) -> dict[str, Any]:
        response = self.http.get("/_simulator/state.json")
        response.raise_for_status()
        return response.json()

    def counters(self) -> dict[str, int]:
        """What the simulator did (``fault_*`` for each fault that fired, ``order_searches``...)."""
        return self.state()["counters"]

    def deliveries(self) -> list[dict[str, Any]]:
        response = self.http.get("/_simulator/deliveries.json")
        response.raise_for_status()
        return response.json()["deliveries"]

    def reset(self) -> None:
        self._post("/_simulator/reset")

    # --- the shop's own endpoints, as the app would call them ---
    def origin(self, domain: str) -> str:
        return f"{self.url}/{domain}"

    def graphql(
        self,
        domain: str,
        token: str,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        version: str = "2026-07",
    ) -> httpx.Response:
        return self.http.post(
            f"/{domain}/admin/api/{version}/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": token},
        )


def _number(gid_or_id: Any) -> str:
    return str(gid_or_id).rsplit("/", 1)[-1]
