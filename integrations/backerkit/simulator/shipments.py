"""What the simulated BackerKit receives back from the app: shipments and cancellations (contract v1,
additive: ../contract/README.md), kept as received, with every acknowledgement timed for the
benchmark and the drills, and shown on the inspection page (inspect_page.py).

PUT shipments are idempotent by path: the same body is a no-op, a later ``updated_at`` replaces the
kept body, an earlier one is ignored (``stale``). A cancellation is kept once.
"""

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

CONTRACT = Path(__file__).resolve().parent.parent / "contract"
SHIPMENT_SCHEMA = Draft202012Validator(json.loads((CONTRACT / "shipment.v1.schema.json").read_text()))
CANCELLATION_SCHEMA = Draft202012Validator(json.loads((CONTRACT / "cancellation.v1.schema.json").read_text()))
UNKNOWN_ORDER = {"error": "order not found", "code": "unknown_order"}


@dataclass
class ShipmentLedger:
    """Every shipment and cancellation received, by project. Guarded by the simulator state's lock."""

    # (project, order id, fulfilment id) -> {"body", "received_at" (wall clock), "versions"}
    shipments: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    # (project, order id) -> {"body", "received_at"}
    cancellations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # every accepted write in order: kind, project, order id, fulfilment id, result, updated_at, at
    acknowledgements: list[dict[str, Any]] = field(default_factory=list)

    def clear(self) -> None:
        self.shipments.clear()
        self.cancellations.clear()
        self.acknowledgements.clear()


def _schema_error(validator: Draft202012Validator, body: dict[str, Any]) -> str | None:
    error = next(iter(sorted(validator.iter_errors(body), key=lambda e: list(e.path))), None)
    if error is None:
        return None
    where = ".".join(str(p) for p in error.path) or "(body)"
    return f"{where}: {error.message}"[:300]


def _moment(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def put_shipment(
    ledger: ShipmentLedger, *, project: str, order_id: str, fulfillment_id: str, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Keep one shipment (the caller checked the project, key and order and holds the lock)."""
    problem = _schema_error(SHIPMENT_SCHEMA, body)
    if problem is None and (body["order_id"] != order_id or body["shopify_fulfillment_id"] != fulfillment_id):
        problem = "order_id and shopify_fulfillment_id must be those of the path"
    if problem:
        return 422, {"error": problem}
    key = (project, order_id, fulfillment_id)
    kept = ledger.shipments.get(key)
    if kept is None:
        ledger.shipments[key] = {"body": body, "received_at": time.time(), "versions": 1}
        status, result = 201, "created"
    elif kept["body"] == body:
        status, result = 200, "unchanged"
    elif _moment(body["updated_at"]) < _moment(kept["body"]["updated_at"]):
        status, result = 200, "stale"
    else:
        kept.update(body=body, received_at=time.time(), versions=kept["versions"] + 1)
        status, result = 200, "replaced"
    ledger.acknowledgements.append(
        {"kind": "shipment", "project": project, "order_id": order_id, "fulfillment_id": fulfillment_id,
         "result": result, "updated_at": body["updated_at"], "status": body["status"], "at": time.time()}
    )  # fmt: skip
    return status, {"result": result}


def post_cancellation(
    ledger: ShipmentLedger, *, project: str, order_id: str, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    problem = _schema_error(CANCELLATION_SCHEMA, body)
    if problem is None and body["order_id"] != order_id:
        problem = "order_id must be the path's"
    if problem:
        return 422, {"error": problem}
    key = (project, order_id)
    if key in ledger.cancellations:
        status, result = 200, "unchanged"
    else:
        ledger.cancellations[key] = {"body": body, "received_at": time.time()}
        status, result = 201, "created"
    ledger.acknowledgements.append(
        {"kind": "cancellation", "project": project, "order_id": order_id, "fulfillment_id": None,
         "result": result, "updated_at": body["cancelled_at"], "status": "cancelled", "at": time.time()}
    )  # fmt: skip
    return status, {"result": result}


def snapshot(ledger: ShipmentLedger) -> dict[str, Any]:
    """Everything received, JSON-ready (``GET /_simulator/shipments.json``)."""
    return {
        "shipments": [
            {"project": p, "order_id": o, "fulfillment_id": f, **kept} for (p, o, f), kept in ledger.shipments.items()
        ],
        "cancellations": [{"project": p, "order_id": o, **kept} for (p, o), kept in ledger.cancellations.items()],
        "acknowledgements": list(ledger.acknowledgements),
    }
