"""``POST /{shop}/admin/api/{version}/graphql.json``: the Admin GraphQL endpoint of a simulated shop.

In order, as Shopify does: the version that serves the call; armed faults; the access token (401);
the document, validated against the real schema; the calculated cost (at most 1000) taken from the
app's bucket (THROTTLED when it holds too little); access scopes; execution with our root
resolvers; the unused cost refunded. Every answer carries ``extensions.cost`` and
``X-Shopify-API-Version``.
https://shopify.dev/docs/api/admin-graphql
https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
"""

import logging
import math
import uuid
from typing import Any

import graphql

from integrations.shopify.schema import admin_schema
from integrations.shopify.simulator import credentials, faults, order_webhooks
from integrations.shopify.simulator.context import ExecutionContext
from integrations.shopify.simulator.cost import MAX_QUERY_COST, query_cost
from integrations.shopify.simulator.dict_fields import field_resolver
from integrations.shopify.simulator.documents import format_error, parse_and_validate
from integrations.shopify.simulator.models import Shop
from integrations.shopify.simulator.resolvers import MUTATION_ROOT, QUERY_ROOT, RATE_LIMIT_FREE, REQUIRED_SCOPE
from integrations.shopify.simulator.state import SimulatorState
from integrations.shopify.simulator.versions import serve_version
from integrations.shopify.simulator.wire import Request, Response

logger = logging.getLogger(__name__)

RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"
_INTROSPECTION = frozenset({"__typename", "__schema", "__type"})


def _cost_extension(requested: int, actual: int | None, status: Any) -> dict[str, Any]:
    return {
        "extensions": {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": status.as_json(),
            }
        }
    }


def handle(state: SimulatorState, domain: str, requested_version: str, request: Request) -> Response:
    config = state.config
    state.count("admin_api_requests")
    state.count("admin_api_request_bytes", len(request.body))  # what the app sent (benchmarks/cost_per_order.py)
    served = serve_version(
        requested_version, supported=config.supported_versions, deprecated=config.deprecated_versions
    )
    if served is None:
        return Response.json({"errors": "Not Found"}, status=404)
    headers = {"X-Shopify-API-Version": served.version, "X-Request-Id": str(uuid.uuid4())}
    if served.deprecated_reason:
        headers["X-Shopify-API-Deprecated-Reason"] = served.deprecated_reason
    shop = state.get_shop(domain)
    if shop is None:
        return Response.json({"errors": "Not Found"}, status=404, headers=headers)

    fault = faults.before_execution(state, shop)
    if fault is not None:
        fault.headers.update(headers)
        return fault

    auth = credentials.authenticate(state, shop, request.headers.get("x-shopify-access-token"))
    if auth.token is None:
        state.count("unauthorized")
        return Response.json({"errors": auth.error}, status=401, headers=headers)

    response, ctx = _execute(state, shop, auth.token, served.version, request, headers)
    response = faults.after_execution(state, shop, ctx, response)
    order_webhooks.after_api_changes(state, shop, ctx.changed_orders)  # background: never delays the answer
    return response


def _execute(
    state: SimulatorState, shop: Shop, token: Any, version: str, request: Request, headers: dict[str, str]
) -> tuple[Response, ExecutionContext]:
    ctx = ExecutionContext(state=state, shop=shop, token=token, api_version=version)
    try:
        body = request.json()
        text = body["query"]
        variables = body.get("variables") or {}
        operation_name = body.get("operationName")
        if not isinstance(text, str) or not isinstance(variables, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError):
        return Response.json({"errors": {"query": "Required parameter missing or invalid"}}, 400, headers), ctx

    with state.lock:
        bucket = state.bucket(token.client_id, shop)
        status = bucket.status()

    parsed = parse_and_validate(text)
    if parsed.document is None:
        return Response.json({"errors": list(parsed.errors), **_cost_extension(0, 0, status)}, 200, headers), ctx
    schema = admin_schema()
    operation = graphql.get_operation_ast(parsed.document, operation_name)
    if operation is None:
        error = {"message": "An operation name is required", "extensions": {"code": "operationNotFound"}}
        return Response.json({"errors": [error], **_cost_extension(0, 0, status)}, 200, headers), ctx

    is_mutation = operation.operation == graphql.OperationType.MUTATION
    roots = MUTATION_ROOT if is_mutation else QUERY_ROOT
    fields = [s.name.value for s in operation.selection_set.selections if isinstance(s, graphql.FieldNode)]
    unsimulated = [name for name in fields if name not in roots and name not in _INTROSPECTION]
    if unsimulated:
        errors = [
            {"message": f"not simulated: {name}", "extensions": {"code": "NOT_SIMULATED"}} for name in unsimulated
        ]
        return Response.json({"errors": errors, **_cost_extension(0, 0, status)}, 200, headers), ctx

    # bulkOperationRunMutation is not subject to the cost-based rate limit (bulk import guide).
    free = bool(fields) and all(name in RATE_LIMIT_FREE for name in fields)
    requested = 0 if free else query_cost(schema, parsed.document, operation, variables)
    if requested > MAX_QUERY_COST:
        error = {
            "message": f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).",
            "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_QUERY_COST},
        }
        return Response.json({"errors": [error], **_cost_extension(requested, None, status)}, 200, headers), ctx

    with state.lock:
        taken = bucket.try_take(requested)
        status = bucket.status()
        wait = bucket.seconds_until(requested)
        if not taken:
            state.counters["throttled"] += 1
    if not taken:
        error = {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC}}
        throttled_headers = dict(headers)
        if shop.throttle_status_code == 429:
            throttled_headers["Retry-After"] = str(max(math.ceil(wait), 1))
        body = {"errors": [error], **_cost_extension(requested, None, status)}
        return Response.json(body, shop.throttle_status_code, throttled_headers), ctx

    refused = faults.refused_variables(state, shop, variables) if is_mutation else None
    if refused is not None:
        with state.lock:
            bucket.give_back(requested)
            status = bucket.status()
        return Response.json({"errors": [refused], **_cost_extension(requested, 0, status)}, 200, headers), ctx

    denied = [
        name
        for name in fields
        if name in REQUIRED_SCOPE and not credentials.has_scope(token.scopes, REQUIRED_SCOPE[name])
    ]
    if denied:
        actual = 0
        body = {"data": None, "errors": [_access_denied(name) for name in denied]}
    else:
        ctx.executed_mutations = list(fields) if is_mutation else []
        result = graphql.execute(
            schema,
            parsed.document,
            root_value=roots,
            context_value=ctx,
            variable_values=variables,
            operation_name=operation_name,
            field_resolver=field_resolver,
        )
        body = {"data": result.data}
        if result.errors:
            body["errors"] = [_execution_error(e) for e in result.errors]
        if result.data is None:
            actual = 0
        elif is_mutation:
            actual = requested
        else:
            actual = query_cost(schema, parsed.document, operation, variables, result.data)
    with state.lock:
        bucket.give_back(requested - actual)
        state.cost_spent += actual
        status = bucket.status()
    body |= _cost_extension(requested, actual, status)
    if ctx.retry_after is not None:
        headers = {**headers, "Retry-After": str(math.ceil(ctx.retry_after))}
    return Response.json(body, 200, headers), ctx


def _access_denied(field: str) -> dict[str, Any]:
    scope = REQUIRED_SCOPE[field]
    return {
        "message": f"Access denied for {field} field. Required access: `{scope}` access scope.",
        "path": [field],
        "extensions": {
            "code": "ACCESS_DENIED",
            "documentation": "https://shopify.dev/api/usage/access-scopes",
            "requiredAccess": f"`{scope}` access scope.",
        },
    }


def _execution_error(error: graphql.GraphQLError) -> dict[str, Any]:
    if error.original_error is not None and not isinstance(error.original_error, graphql.GraphQLError):
        logger.exception("shopify_simulator.resolver_failed", exc_info=error.original_error)
        return format_error(error, "INTERNAL_SERVER_ERROR")
    code = "INVALID_VARIABLE" if error.message.startswith("Variable '$") else "BAD_REQUEST"
    return format_error(error, code)
