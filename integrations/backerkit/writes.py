"""What the app writes back to BackerKit (contract v1, additive): a Shopify fulfilment as a
shipment, and a merchant's cancellation. Mixed into ``BackerKitClient`` (client.py), so the same
key, timeouts, refused redirects and typed errors apply; kept apart from the reads.

Both calls are idempotent by path (a repeat is harmless): the caller may retry transient errors
and 429 (after ``retry_after``), and never another 4xx (``BackerKitError`` with BackerKit's words).
"""

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from integrations.backerkit.errors import BackerKitUnknownOrder

logger = logging.getLogger(__name__)

RESULTS = ("created", "replaced", "unchanged", "stale")


@dataclass(frozen=True)
class WriteResult:
    """BackerKit's acknowledgement: ``created``, ``replaced``, ``unchanged`` or ``stale`` (it kept a
    newer version)."""

    result: str


class ShipmentWrites:
    """The write half of the BackerKit client (needs ``_http``, ``_api_key``, ``project_id``,
    ``api_url``, ``_project_path``, ``_interpret`` and ``_contract_error`` from client.py)."""

    def put_shipment(self, *, order_id: str, fulfillment_id: str, shipment: dict[str, Any]) -> WriteResult:
        """Report one Shopify fulfilment (``shipment``: shipment.v1.schema.json)."""
        path = f"{self._order_path(order_id)}/shipments/{quote(fulfillment_id, safe='')}"
        return self._write("PUT", path, body=shipment, order_id=order_id)

    def post_cancellation(self, *, order_id: str, cancellation: dict[str, Any]) -> WriteResult:
        """Report the merchant's cancellation of the order (cancellation.v1.schema.json)."""
        return self._write("POST", f"{self._order_path(order_id)}/cancellation", body=cancellation, order_id=order_id)

    # --- transport -----------------------------------------------------------------------------

    def _order_path(self, order_id: str) -> str:
        return f"{self._project_path()}/orders/{quote(order_id, safe='')}"

    def _write(self, method: str, path: str, *, body: dict[str, Any], order_id: str) -> WriteResult:
        response = self._request(method, path, json=body)
        if response.status_code == 404 and _code(response) == "unknown_order":
            raise BackerKitUnknownOrder(
                f"BackerKit has no order {order_id!r} in project {self.project_id!r} (404)",
                project=self.project_id,
                status=404,
            )
        answer = self._interpret(response)  # a 404 without the code: the project's (BackerKitNotFound)
        result = answer.get("result")
        if result not in RESULTS:
            raise self._contract_error("write", f"result {result!r} is none of {', '.join(RESULTS)}")
        logger.info(
            "backerkit.written",
            extra={"project": self.project_id, "method": method, "result": result, "status": response.status_code},
        )
        return WriteResult(result=result)


def _code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code") or "") if isinstance(body, dict) else ""
