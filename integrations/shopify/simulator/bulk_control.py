"""Control of the simulated bulk import: the runner's settings and faults per shop, and what ran.

``POST /_simulator/shops/{shop}/bulk`` with any of ``lines_per_second``, ``start_delay_seconds``,
``window``, ``dev_store_limit_in_bulk`` (the runner; the last: whether a development store's five
orders a minute bind bulk lines too) and the faults ``fail_after_lines``, ``cancel_after_lines``,
``lose_finish_webhooks``, ``results_5xx``, ``refuse_with`` + ``refuse_times``,
``access_denied_times``, ``line_error_for``; ``GET`` the same path: settings, faults, operations.
"""

from typing import Any

from integrations.shopify.simulator.bulk_models import BulkOperation, BulkSettings
from integrations.shopify.simulator.state import SimulatorState

SETTINGS = ("lines_per_second", "start_delay_seconds", "window", "dev_store_limit_in_bulk")
FAULTS = ("fail_after_lines", "cancel_after_lines", "lose_finish_webhooks", "results_5xx", "refuse_with",
          "refuse_times", "access_denied_times", "line_error_for")  # fmt: skip


def configure(state: SimulatorState, domain: str, body: dict[str, Any]) -> dict[str, Any]:
    state.require_shop(domain)
    unknown = set(body) - set(SETTINGS) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown bulk settings: {', '.join(sorted(unknown))}")
    with state.lock:
        settings = state.bulk.settings_for(domain)
        faults = state.bulk.faults_for(domain)
        for key in SETTINGS:
            if key in body:
                kind = type(getattr(BulkSettings(), key))
                if kind is bool and not isinstance(body[key], bool):
                    raise ValueError(f"{key} must be true or false")
                setattr(settings, key, kind(body[key]))
        for key in FAULTS:
            if key in body:
                value = body[key]
                setattr(faults, key, list(value) if key == "line_error_for" else value)
        if settings.lines_per_second <= 0:
            raise ValueError("lines_per_second must be above 0")
    return describe(state, domain)


def describe(state: SimulatorState, domain: str) -> dict[str, Any]:
    state.require_shop(domain)
    with state.lock:
        return {
            "settings": dict(state.bulk.settings_for(domain).__dict__),
            "faults": state.bulk.faults_for(domain).as_json(),
            "operations": [operation_json(op) for op in state.bulk.of_shop(domain)],
        }


def operation_json(operation: BulkOperation) -> dict[str, Any]:
    return {
        "id": operation.gid,
        "status": operation.status,
        "error_code": operation.error_code,
        "lines": operation.lines_total,
        "done": operation.object_count,
        "results": len(operation.results),
        "client_identifier": operation.client_identifier,
        "created_at": operation.created_at,
        "completed_at": operation.completed_at,
    }
