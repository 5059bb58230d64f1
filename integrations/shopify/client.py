"""The Admin GraphQL client: one place that adds auth, timeouts, version and error mapping.

No hidden retries: a throttled, transient or ambiguous outcome is raised as a typed error
(integrations/shopify/errors.py) and the caller decides, because only the caller knows whether
resending is safe (orderCreate has no idempotency key).
https://shopify.dev/docs/api/usage/rate-limits

HTTP goes through ``http_pool.py`` (keep-alive ``http.client`` connections, one pool per process):
it tells a failure before sending (safe to send again) from one after (ambiguous). The request body
is built with the document's JSON encoded once per document, not per call.

Every request is logged as one event, ``shopify.request`` (as Sentry's integration clients record
each call): the operation, HTTP status, duration, cost requested and charged, the bucket after the
call, the API version that served it and Shopify's deprecation reason (then at WARNING: the app
uses something Shopify will remove). Never the variables, the answer or the token.
https://shopify.dev/docs/api/usage/versioning
"""

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings

from integrations.shopify.errors import (
    ShopifyAccessDenied,
    ShopifyError,
    ShopifyInvalid,
    ShopifyShopUnavailable,
    ShopifyThrottled,
    ShopifyTransient,
    ShopifyUnauthorized,
)
from integrations.shopify.http_pool import Answer, CannotConnect, HttpPool, NoAnswer
from integrations.shopify.origin import admin_graphql_url

logger = logging.getLogger(__name__)

_OPERATION = re.compile(r"\b(query|mutation)\s+(\w+)")


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float


@dataclass(frozen=True)
class QueryCost:
    requested: float
    actual: float | None
    throttle_status: ThrottleStatus | None


@dataclass(frozen=True)
class GraphQLResponse:
    data: dict[str, Any]
    cost: QueryCost | None
    api_version: str
    deprecated_reason: str | None
    elapsed: float


_pool_lock = threading.Lock()
_pool: HttpPool | None = None


def _shared_http() -> HttpPool:
    """One connection pool per process: Shopify is far away, so reuse connections across calls."""
    global _pool
    with _pool_lock:
        if _pool is None:
            connect, read = settings.SHOPIFY_TIMEOUT
            _pool = HttpPool(connect_timeout=connect, read_timeout=read)
        return _pool


def reset_http_pool() -> None:
    """Drop the pooled connections (after a fork, or when the Shopify origin setting changes)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.close()
        _pool = None


@lru_cache(maxsize=32)
def _encoded_document(document: str) -> bytes:
    """A document's JSON string, encoded once (the push sends the same ``orderCreate`` every time)."""
    return _json_bytes(document)


def _json_bytes(value: Any) -> bytes:
    # As httpx encoded a json= body: UTF-8, compact, no NaN.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def request_body(document: str, variables: dict[str, Any] | None) -> bytes:
    """``{"query": document, "variables": variables}`` as JSON bytes, the document's part reused."""
    return b'{"query":' + _encoded_document(document) + b',"variables":' + _json_bytes(variables or {}) + b"}"


def operation_name(document: str) -> str:
    match = _OPERATION.search(document)
    return match.group(2) if match else "anonymous"


def _parse_cost(extensions: dict | None) -> QueryCost | None:
    cost = (extensions or {}).get("cost")
    if not cost:
        return None
    status = cost.get("throttleStatus")
    throttle = (
        ThrottleStatus(
            maximum_available=float(status["maximumAvailable"]),
            currently_available=float(status["currentlyAvailable"]),
            restore_rate=float(status["restoreRate"]),
        )
        if status
        else None
    )
    actual = cost.get("actualQueryCost")
    return QueryCost(
        requested=float(cost.get("requestedQueryCost") or 0),
        actual=float(actual) if actual is not None else None,
        throttle_status=throttle,
    )


def _throttle_wait(cost: QueryCost | None, retry_after: str | None) -> float:
    if retry_after:
        try:
            return max(float(retry_after), 0.05)
        except ValueError:
            pass
    if cost and cost.throttle_status and cost.throttle_status.restore_rate > 0:
        missing = cost.requested - cost.throttle_status.currently_available
        return max(missing / cost.throttle_status.restore_rate, 0.05)
    return 1.0


class AdminClient:
    """Admin GraphQL API of one shop, with one access token."""

    def __init__(self, *, shop: str, access_token: str, api_version: str | None = None, http: HttpPool | None = None):
        self.shop = shop
        self._access_token = access_token
        self.api_version = api_version or settings.SHOPIFY_API_VERSION
        self._http = http

    def __repr__(self) -> str:  # never the token
        return f"AdminClient(shop={self.shop!r}, api_version={self.api_version!r})"

    def execute(self, document: str, variables: dict[str, Any] | None = None) -> GraphQLResponse:
        operation = operation_name(document)
        started = time.monotonic()
        response: Answer | None = None
        try:
            response = self._post(document, variables, operation=operation)
            answer = self._interpret(response, operation=operation, elapsed=time.monotonic() - started)
        except ShopifyError as exc:
            _log_request(shop=self.shop, operation=operation, response=response, elapsed=time.monotonic() - started,
                         error=exc)  # fmt: skip
            raise
        _log_request(shop=self.shop, operation=operation, response=response, elapsed=answer.elapsed, answer=answer)
        return answer

    def _post(self, document: str, variables: dict[str, Any] | None, *, operation: str) -> Answer:
        http = self._http or _shared_http()
        try:
            return http.post(
                admin_graphql_url(self.shop, self.api_version),
                body=request_body(document, variables),
                headers={"X-Shopify-Access-Token": self._access_token, "Accept": "application/json"},
            )
        except CannotConnect as exc:
            # Nothing reached Shopify: safe to send again.
            raise ShopifyTransient(f"{operation}: cannot connect ({exc})", shop=self.shop, ambiguous=False) from exc
        except NoAnswer as exc:
            # Read timeout, dropped connection...: Shopify may have executed it.
            raise ShopifyTransient(f"{operation}: no answer ({exc})", shop=self.shop, ambiguous=True) from exc

    def _interpret(self, response: Answer, *, operation: str, elapsed: float) -> GraphQLResponse:
        status = response.status_code
        if status in (401, 403):
            raise ShopifyUnauthorized(
                f"{operation}: Shopify refused the access token ({status}): {_error_text(response)}",
                shop=self.shop,
                status=status,
            )
        if status in _SHOP_UNAVAILABLE:
            kind = _SHOP_UNAVAILABLE[status]
            raise ShopifyShopUnavailable(
                f"{operation}: the shop is {kind} ({status}): {_error_text(response)}",
                shop=self.shop,
                status=status,
                kind=kind,
            )
        if status >= 500:
            raise ShopifyTransient(
                f"{operation}: Shopify answered {status}", shop=self.shop, status=status, ambiguous=True
            )
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            if status == 429:
                raise ShopifyThrottled(
                    f"{operation}: throttled (429)",
                    shop=self.shop,
                    status=status,
                    retry_after=_throttle_wait(None, response.headers.get("Retry-After")),
                ) from exc
            raise ShopifyTransient(
                f"{operation}: unreadable answer ({status})", shop=self.shop, status=status, ambiguous=True
            ) from exc

        cost = _parse_cost(body.get("extensions"))
        errors = body.get("errors")
        if status == 429 or _has_code(errors, "THROTTLED"):
            raise ShopifyThrottled(
                f"{operation}: throttled",
                shop=self.shop,
                status=status,
                retry_after=_throttle_wait(cost, response.headers.get("Retry-After")),
            )
        if status >= 400:
            raise ShopifyInvalid(
                f"{operation}: Shopify answered {status}: {_error_text(response)}", shop=self.shop, status=status
            )
        if errors:
            if isinstance(errors, str):
                raise ShopifyUnauthorized(f"{operation}: {errors}", shop=self.shop, status=status)
            if _has_code(errors, "ACCESS_DENIED"):
                raise ShopifyAccessDenied(f"{operation}: {_messages(errors)}", shop=self.shop, status=status)
            if _has_code(errors, "INTERNAL_SERVER_ERROR"):
                raise ShopifyTransient(
                    f"{operation}: {_messages(errors)}", shop=self.shop, status=status, ambiguous=True
                )
            raise ShopifyInvalid(f"{operation}: {_messages(errors)}", shop=self.shop, status=status)
        return GraphQLResponse(
            data=body.get("data") or {},
            cost=cost,
            api_version=response.headers.get("X-Shopify-API-Version", self.api_version),
            deprecated_reason=response.headers.get("X-Shopify-API-Deprecated-Reason"),
            elapsed=elapsed,
        )


# Shopify answers these for every request to a shop closed to the API, whatever the request.
_SHOP_UNAVAILABLE = {402: ShopifyShopUnavailable.FROZEN, 423: ShopifyShopUnavailable.LOCKED}


def _log_request(
    *,
    shop: str,
    operation: str,
    response: Answer | None,
    elapsed: float,
    answer: GraphQLResponse | None = None,
    error: ShopifyError | None = None,
) -> None:
    """One event per request. Built only when it will be written (the push makes ~100 calls/s)."""
    deprecated = answer.deprecated_reason if answer else None
    if response is not None and deprecated is None:
        deprecated = response.headers.get("X-Shopify-API-Deprecated-Reason")
    level = logging.WARNING if deprecated else logging.INFO
    if not logger.isEnabledFor(level):
        return
    context: dict[str, Any] = {
        "shop": shop,
        "operation": operation,
        "status": response.status_code if response is not None else None,
        "duration_ms": round(elapsed * 1000, 1),
        "api_version": answer.api_version
        if answer
        else (response.headers.get("X-Shopify-API-Version") if response is not None else None),
        "deprecated_reason": deprecated,
    }
    cost = answer.cost if answer else None
    if cost is not None:
        context |= {"cost_requested": cost.requested, "cost_actual": cost.actual}
        if cost.throttle_status is not None:
            context |= {
                "throttle_available": cost.throttle_status.currently_available,
                "throttle_maximum": cost.throttle_status.maximum_available,
                "throttle_restore_rate": cost.throttle_status.restore_rate,
            }
    if error is not None:
        context["error"] = type(error).__name__
        if isinstance(error, ShopifyThrottled):
            context["retry_after"] = error.retry_after
    logger.log(level, "shopify.request", extra=context)


def _has_code(errors: Any, code: str) -> bool:
    if not isinstance(errors, list):
        return False
    return any(isinstance(e, dict) and (e.get("extensions") or {}).get("code") == code for e in errors)


def _messages(errors: list) -> str:
    return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)


def _error_text(response: Answer) -> str:
    try:
        body = json.loads(response.content)
    except ValueError:
        return response.text[:200]
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return _messages(errors)
    return str(body)[:200]
