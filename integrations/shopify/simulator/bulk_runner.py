"""The runner of a simulated bulk mutation: one thread per operation.

After its start-up delay the operation is RUNNING and executes its lines at the shop's configured
rate (lines per second; Shopify publishes no figure, so it is an assumption the benchmark varies),
``window`` lines at a time whose results are written in shuffled order (results are not in input
order on Shopify either). Each line runs the bulk operation's mutation through the same resolvers
and executor as a call (``orderCreate``: same checks, same dedupe, same search index), its result
one JSONL line ``{"data": ..., "errors"?: ..., "__lineNumber": n}``. The file must not change
while the operation runs: a changed checksum fails it. At the end: COMPLETED (``url``), FAILED
(``errorCode``, ``partialDataUrl``) or CANCELED, and the signed ``bulk_operations/finish`` webhook.
"""

import hashlib
import json
import logging
import random
import threading
import time
from typing import Any

import graphql

from integrations.shopify.schema import admin_schema
from integrations.shopify.simulator import webhooks
from integrations.shopify.simulator.bulk_models import BulkOperation, BulkRegistry
from integrations.shopify.simulator.context import ExecutionContext
from integrations.shopify.simulator.dict_fields import field_resolver
from integrations.shopify.simulator.state import SimulatorState, now_iso
from integrations.shopify.simulator.wire import Response

logger = logging.getLogger(__name__)

RESULTS_PATH = "/_bulk_results/"


def start(state: SimulatorState, operation: BulkOperation, *, roots: dict[str, Any], token: Any) -> None:
    registry = state.bulk
    thread = threading.Thread(
        target=_run_safely, args=(state, registry, operation, roots, token), daemon=True,
        name=f"bulk-runner:{operation.number}",
    )  # fmt: skip
    with state.lock:
        registry.threads = [t for t in registry.threads if t.is_alive()] + [thread]
    thread.start()


def _run_safely(state: SimulatorState, registry: BulkRegistry, operation: BulkOperation, roots: dict, token) -> None:
    try:
        _run(state, registry, operation, roots, token)
    except Exception:  # a simulator bug: the operation fails visibly instead of hanging
        logger.exception("shopify_simulator.bulk_runner_failed", extra={"operation": operation.number})
        _finish(state, registry, operation, "FAILED", "INTERNAL_SERVER_ERROR")


def _alive(state: SimulatorState, registry: BulkRegistry) -> bool:
    return state.bulk is registry  # a reset replaced the registry: this runner's world is gone


def _run(state: SimulatorState, registry: BulkRegistry, operation: BulkOperation, roots: dict, token) -> None:
    with state.lock:
        settings = registry.settings_for(operation.shop)
        delay, rate, window = settings.start_delay_seconds, settings.lines_per_second, max(settings.window, 1)
        data = registry.uploads[operation.staged_key].data or b""
        shop = state.shops.get(operation.shop)
    if not _sleep(state, registry, operation, delay) or shop is None:
        return
    with state.lock:
        if operation.cancel_requested:
            _finish_locked(state, operation, "CANCELED", None)
            return _after_finish(state, registry, operation)
        operation.status = "RUNNING"
    lines = data.decode("utf-8").splitlines()
    document = graphql.parse(operation.mutation)
    shuffle = random.Random(operation.number)
    started = time.monotonic()
    for first in range(0, len(lines), window):
        batch = list(enumerate(lines[first : first + window], start=first))
        results = []
        for number, line in batch:
            stop = _should_stop(state, registry, operation)
            if stop:
                _append(state, operation, results)
                return _finish(state, registry, operation, *stop)
            results.append(_execute_line(state, shop, token, operation, document, roots, number, json.loads(line)))
            # Pace: line n completes no sooner than n / rate seconds after the start.
            due = started + (number + 1) / rate
            if not _sleep(state, registry, operation, due - time.monotonic()):
                return
        shuffle.shuffle(results)
        _append(state, operation, results)
    _finish(state, registry, operation, "COMPLETED", None)


def _should_stop(state: SimulatorState, registry: BulkRegistry, operation: BulkOperation) -> tuple | None:
    with state.lock:
        faults = registry.faults_for(operation.shop)
        done = operation.object_count
        upload = registry.uploads.get(operation.staged_key)
        data = upload.data if upload is not None else None
        changed = data is None or (
            data is not operation.checked_data and hashlib.sha256(data).hexdigest() != operation.checksum
        )
        if not changed:
            operation.checked_data = data
    if operation.cancel_requested:
        return ("CANCELED", None)
    if changed:
        state.count("bulk_checksum_failures")
        return ("FAILED", "INTERNAL_SERVER_ERROR")
    if faults.fail_after_lines is not None and done >= faults.fail_after_lines:
        faults.fail_after_lines = None
        state.count("fault_bulk_failed")
        return ("FAILED", "INTERNAL_SERVER_ERROR")
    if faults.cancel_after_lines is not None and done >= faults.cancel_after_lines:
        faults.cancel_after_lines = None
        state.count("fault_bulk_canceled")
        return ("CANCELED", None)
    return None


def _execute_line(state, shop, token, operation, document, roots, number: int, variables: dict) -> str:
    with state.lock:
        operation.object_count += 1
        line_errors = state.bulk.faults_for(operation.shop).line_error_for
    source = ((variables.get("order") or {}) if isinstance(variables.get("order"), dict) else {}).get(
        "sourceIdentifier"
    )
    state.count("bulk_lines_executed")
    if source is not None and source in line_errors:
        state.count("fault_bulk_line_errors")
        result = {"errors": [{"message": "Internal error. Looks like something went wrong on our end.",
                              "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}  # fmt: skip
    else:
        ctx = ExecutionContext(state=state, shop=shop, token=token, api_version=operation.api_version, in_bulk=True)
        executed = graphql.execute(admin_schema(), document, root_value=roots, context_value=ctx,
                                   variable_values=variables, field_resolver=field_resolver)  # fmt: skip
        result = {"data": executed.data}
        if executed.errors:
            result["errors"] = [{"message": e.message, "extensions": e.extensions or {}} for e in executed.errors]
    result["__lineNumber"] = number
    return json.dumps(result, separators=(",", ":"), default=str)


def _append(state: SimulatorState, operation: BulkOperation, results: list[str]) -> None:
    with state.lock:
        operation.results.extend(results)
        operation.result_bytes += sum(len(r) + 1 for r in results)


def _sleep(state: SimulatorState, registry: BulkRegistry, operation: BulkOperation, seconds: float) -> bool:
    """Sleep (in short steps, so a cancel or a reset is seen); False when the runner must stop."""
    end = time.monotonic() + max(seconds, 0.0)
    while True:
        if not _alive(state, registry):
            return False
        left = end - time.monotonic()
        if left <= 0:
            return True
        time.sleep(min(left, 0.05))


def _finish(state: SimulatorState, registry: BulkRegistry, operation: BulkOperation, status: str, code) -> None:
    if not _alive(state, registry):
        return
    with state.lock:
        _finish_locked(state, operation, status, code)
    _after_finish(state, registry, operation)


def _finish_locked(state: SimulatorState, operation: BulkOperation, status: str, code: str | None) -> None:
    operation.status = status
    operation.error_code = code
    link = f"{state.base_url}{RESULTS_PATH}{operation.shop}/{operation.number}.jsonl"
    if status == "COMPLETED":
        operation.completed_at = now_iso()
        operation.url = link if operation.results else None
    elif status == "FAILED" and operation.results:
        operation.partial_data_url = link
    state.counters[f"bulk_operations_{status.lower()}"] += 1


def _after_finish(state: SimulatorState, registry: BulkRegistry, operation: BulkOperation) -> None:
    """The signed ``bulk_operations/finish`` webhook (status and error code lower-case, no URL)."""
    with state.lock:
        faults = registry.faults_for(operation.shop)
        lost = faults.lose_finish_webhooks > 0
        if lost:
            faults.lose_finish_webhooks -= 1
            state.counters["fault_bulk_webhook_lost"] += 1
        shop = state.shops.get(operation.shop)
    if lost or shop is None:
        return
    payload = {
        "admin_graphql_api_id": operation.gid,
        "completed_at": operation.completed_at,
        "created_at": operation.created_at,
        "error_code": operation.error_code.lower() if operation.error_code else None,
        "status": operation.status.lower(),
        "type": "mutation",
    }
    webhooks.send(state, webhooks.prepare(state, shop, "bulk_operations/finish", payload,
                                          api_version=operation.api_version))  # fmt: skip


def serve_results(state: SimulatorState, domain: str, name: str) -> Response:
    """``GET {url}/_bulk_results/{shop}/{number}.jsonl``: the results (or partial data) as JSONL."""
    number = name.removesuffix(".jsonl")
    with state.lock:
        operation = state.bulk.operations.get(int(number)) if number.isdigit() else None
        if operation is None or operation.shop != domain or not (operation.url or operation.partial_data_url):
            return Response(404, b"<Error><Code>NoSuchKey</Code></Error>", {"Content-Type": "application/xml"})
        faults = state.bulk.faults_for(domain)
        if faults.results_5xx > 0:
            faults.results_5xx -= 1
            state.counters["fault_bulk_results_5xx"] += 1
            return Response(503, b"<Error><Code>ServiceUnavailable</Code></Error>", {"Content-Type": "application/xml"})
        body = "".join(line + "\n" for line in operation.results).encode()
    state.count("bulk_results_served")
    return Response(200, body, {"Content-Type": "application/jsonl"})
