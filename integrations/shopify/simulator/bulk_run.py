"""``bulkOperationRunMutation``, ``bulkOperationCancel``, ``bulkOperation(id:)`` and ``bulkOperations``.

Checked as Shopify documents, in order: the mutation parses and validates against the schema, is
one mutation with one root field, not itself a bulk operation, with at most one connection field;
the staged upload exists and was uploaded (``NO_SUCH_FILE``); every line is a JSON object
(``INVALID_STAGED_UPLOAD_FILE``); at most 5 bulk mutations run per shop from API 2026-01, one
before (``OPERATION_IN_PROGRESS``). The operation then belongs to the runner (bulk_runner.py).
``bulkOperationRunMutation`` itself costs no points (admin_graphql.py: ``RATE_LIMIT_FREE``).
https://shopify.dev/docs/api/usage/bulk-operations/imports
https://shopify.dev/docs/api/admin-graphql/latest/mutations/bulkOperationRunMutation
"""

import hashlib
import json
from typing import Any

import graphql
from graphql import GraphQLError, GraphQLResolveInfo

from integrations.shopify.schema import admin_schema
from integrations.shopify.simulator import bulk_runner
from integrations.shopify.simulator.bulk_models import (
    MAX_RUNNING,
    MAX_RUNNING_BEFORE_2026_01,
    BulkOperation,
)
from integrations.shopify.simulator.connections import paginate
from integrations.shopify.simulator.documents import parse_and_validate
from integrations.shopify.simulator.nodes import gid_number
from integrations.shopify.simulator.state import now_iso

BULK_FIELDS = frozenset({"bulkOperationRunMutation", "bulkOperationRunQuery", "bulkOperationCancel"})


def _error(code: str, message: str, field: list[str] | None = None) -> dict[str, Any]:
    return {"__typename": "BulkMutationUserError", "code": code, "field": field, "message": message}


def _refused(code: str, message: str, field: list[str] | None = None) -> dict[str, Any]:
    return {"__typename": "BulkOperationRunMutationPayload", "bulkOperation": None,
            "userErrors": [_error(code, message, field)]}  # fmt: skip


def check_mutation(text: str, simulated: dict[str, Any]) -> tuple[str | None, str]:
    """(root field, "") for a mutation the bulk runner can execute, else (None, why)."""
    parsed = parse_and_validate(text)
    if parsed.document is None:
        return None, "Invalid mutation: " + "; ".join(e["message"] for e in parsed.errors)
    operations = [d for d in parsed.document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation != graphql.OperationType.MUTATION:
        return None, "Invalid mutation: the document must hold exactly one mutation."
    roots = [s for s in operations[0].selection_set.selections if isinstance(s, graphql.FieldNode)]
    if len(roots) != 1:
        return None, "Invalid mutation: a bulk operation runs exactly one mutation field."
    name = roots[0].name.value
    if name in BULK_FIELDS:
        return None, f"Invalid mutation: {name} cannot run inside a bulk operation."
    if _connections(parsed.document) > 1:
        return None, "Invalid mutation: a bulk mutation may select at most one connection field."
    if name not in simulated:
        return None, f"not simulated: {name} in a bulk operation"
    return name, ""


def _connections(document: graphql.DocumentNode) -> int:
    info = graphql.TypeInfo(admin_schema())
    found = []

    class Counter(graphql.Visitor):
        def enter_field(self, node: graphql.FieldNode, *_: Any) -> None:
            field_type = info.get_type()
            named = graphql.get_named_type(field_type) if field_type else None
            if named is not None and named.name.endswith("Connection"):
                found.append(node.name.value)

    graphql.visit(document, graphql.TypeInfoVisitor(info, Counter()))
    return len(found)


def run_mutation(
    info: GraphQLResolveInfo,
    mutation: str,
    stagedUploadPath: str,  # noqa: N803 - the GraphQL argument
    clientIdentifier: str | None = None,  # noqa: N803
    groupObjects: bool | None = None,  # noqa: N803, ARG001 - deprecated, no effect
) -> dict[str, Any]:
    ctx = info.context
    state, shop = ctx.state, ctx.shop
    registry = state.bulk
    state.count("bulk_run_calls")
    with state.lock:
        faults = registry.faults_for(shop.domain)
        if faults.access_denied_times > 0:
            faults.access_denied_times -= 1
            raise GraphQLError(
                "Access denied for bulkOperationRunMutation field.", extensions={"code": "ACCESS_DENIED"}
            )
        if faults.refuse_times > 0 and faults.refuse_with:
            faults.refuse_times -= 1
            return _refused(faults.refuse_with, f"Refused on demand: {faults.refuse_with}.")
    root, why = check_mutation(mutation, info.root_value)
    if root is None:
        return _refused("INVALID_MUTATION", why, ["mutation"])
    with state.lock:
        upload = registry.uploads.get(stagedUploadPath)
        if upload is None or upload.shop != shop.domain or upload.data is None:
            return _refused("NO_SUCH_FILE", "The JSONL file could not be found.", ["stagedUploadPath"])
        data = upload.data
    lines = data.decode("utf-8", "replace").splitlines()
    for line in lines:
        try:
            if not isinstance(json.loads(line), dict):
                raise ValueError
        except ValueError:
            return _refused("INVALID_STAGED_UPLOAD_FILE", "Unexpected file structure - expected JSONL",
                            ["stagedUploadPath"])  # fmt: skip
    limit = MAX_RUNNING if ctx.api_version >= "2026-01" or ctx.api_version == "unstable" else MAX_RUNNING_BEFORE_2026_01
    with state.lock:
        running = registry.running(shop.domain)
        if len(running) >= limit:
            state.count("bulk_in_progress_refusals")
            return _refused(
                "OPERATION_IN_PROGRESS",
                f"A bulk mutation operation for this app and shop is already in progress: {running[0].gid}.",
            )
        operation = BulkOperation(
            number=state.next_id(),
            shop=shop.domain,
            mutation=mutation,
            staged_key=stagedUploadPath,
            checksum=hashlib.sha256(data).hexdigest(),
            client_identifier=clientIdentifier,
            api_version=ctx.api_version,
            token_value=ctx.token.value,
            created_at=now_iso(),
            lines_total=len(lines),
        )
        registry.operations[operation.number] = operation
    bulk_runner.start(state, operation, roots=info.root_value, token=ctx.token)
    return {"__typename": "BulkOperationRunMutationPayload", "bulkOperation": operation_node(state, operation),
            "userErrors": []}  # fmt: skip


def cancel(info: GraphQLResolveInfo, id: str) -> dict[str, Any]:  # noqa: A002 - the GraphQL argument
    ctx = info.context
    with ctx.state.lock:
        operation = _own(ctx, id)
        if operation is None:
            missing = {"__typename": "UserError", "field": ["id"], "message": "Bulk operation does not exist"}
            return {"__typename": "BulkOperationCancelPayload", "bulkOperation": None, "userErrors": [missing]}
        if operation.status in ("CREATED", "RUNNING"):
            operation.cancel_requested = True
            operation.status = "CANCELING"
        return {"__typename": "BulkOperationCancelPayload", "bulkOperation": operation_node(ctx.state, operation),
                "userErrors": []}  # fmt: skip


def _own(ctx: Any, gid: str) -> BulkOperation | None:
    number = gid_number(gid, "BulkOperation")
    operation = ctx.state.bulk.operations.get(number) if number is not None else None
    return operation if operation is not None and operation.shop == ctx.shop.domain else None


def bulk_operation(info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:  # noqa: A002
    ctx = info.context
    ctx.state.count("bulk_operation_queries")
    with ctx.state.lock:
        operation = _own(ctx, id)
        return operation_node(ctx.state, operation) if operation else None


def bulk_operations(info: GraphQLResolveInfo, query: str | None = None, reverse: bool = False, **page: Any) -> dict:
    """Newest first by default; ``query`` filters ``status:``, ``operation_type:``, ``id:``."""
    ctx = info.context
    with ctx.state.lock:
        operations = sorted(ctx.state.bulk.of_shop(ctx.shop.domain), key=lambda op: op.number)
        nodes = {op.number: operation_node(ctx.state, op) for op in operations}
    for term in (query or "").split():
        key, _, value = term.partition(":")
        value = value.strip("'\"").lower()
        if key == "status":
            operations = [op for op in operations if op.status.lower() == value]
        elif key == "operation_type":
            operations = [op for op in operations if value == "mutation"]
        elif key == "id":
            operations = [op for op in operations if str(op.number) == value.rsplit("/", 1)[-1]]
    page = {k: v for k, v in page.items() if k in ("first", "after", "last", "before")}
    return paginate(operations, kind="BulkOperation", id_of=lambda op: op.number,
                    node_of=lambda op: nodes[op.number], reverse=not reverse, **page)  # fmt: skip


def operation_node(state: Any, operation: BulkOperation) -> dict[str, Any]:
    return {
        "__typename": "BulkOperation",
        "id": operation.gid,
        "status": operation.status,
        "errorCode": operation.error_code,
        "createdAt": operation.created_at,
        "completedAt": operation.completed_at,
        "objectCount": str(operation.object_count),
        "rootObjectCount": str(operation.object_count),
        "fileSize": str(operation.result_bytes) if operation.url else None,
        "url": operation.url,
        "partialDataUrl": operation.partial_data_url,
        "query": operation.mutation,
        "type": "MUTATION",
    }
