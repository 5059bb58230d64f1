"""The BackerKit API client (contract: integrations/backerkit/contract/README.md, version v1).

One place adds the API key, a (connect, read) timeout on every call, refuses redirects (the key
must never follow a redirect elsewhere) and maps every failure once into the typed errors of
errors.py. No hidden retries: the caller (a task) decides, because only it knows the schedule.
"""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from integrations.backerkit.errors import (
    BackerKitError,
    BackerKitNotFound,
    BackerKitThrottled,
    BackerKitTransient,
    BackerKitUnauthorized,
)
from integrations.backerkit.writes import ShipmentWrites, WriteResult

logger = logging.getLogger(__name__)

__all__ = ["BackerKitClient", "BackerKitProject", "OrderPage", "WriteResult"]

API_VERSION = "v1"
# One TLS context (httpx's defaults: certificates verified against certifi's bundle) for every
# client: building one per client costs ~40 ms of CPU, and the outbox opens a client per shipment.
_TLS = httpx.create_ssl_context()
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class BackerKitProject:
    id: str
    name: str
    currency: str


@dataclass(frozen=True)
class OrderPage:
    """One page of locked orders (or of the change feed: ``changed_orders_page``). ``orders`` are
    raw dicts: validate each with ``validate_order``.

    ``next_cursor`` is where the next pull starts (store it once the page's orders are recorded);
    ``has_more`` says whether another page is ready now.
    """

    orders: list[Any]
    next_cursor: str | None
    has_more: bool


class BackerKitClient(ShipmentWrites):
    """The BackerKit API of one project, with its API key (its writes: writes.py)."""

    def __init__(
        self,
        api_url: str,
        api_key: str,
        project: str,
        *,
        timeout: tuple[float, float] = (3.05, 30.0),
        http: httpx.Client | None = None,
    ):
        self.api_url = api_url.rstrip("/")
        self._api_key = api_key
        self.project_id = project
        connect, read = timeout
        self._http = http or httpx.Client(
            timeout=httpx.Timeout(read, connect=connect), follow_redirects=False, verify=_TLS
        )

    def __repr__(self) -> str:  # never the key
        return f"BackerKitClient(api_url={self.api_url!r}, project={self.project_id!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "BackerKitClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- the API -------------------------------------------------------------------------------

    def project(self) -> BackerKitProject:
        """The project's name and currency ("Test connection"; the currency check before a push)."""
        body = self._get(self._project_path())
        try:
            return BackerKitProject(id=str(body["id"]), name=str(body["name"]), currency=str(body["currency"]))
        except (KeyError, TypeError) as exc:
            raise self._contract_error("project", f"missing {exc}") from exc

    def locked_orders_page(self, *, since: str | None, limit: int = DEFAULT_PAGE_SIZE) -> OrderPage:
        params: dict[str, str | int] = {"status": "locked", "limit": max(1, min(limit, MAX_PAGE_SIZE))}
        if since:
            params["since"] = since
        return self._orders_page(params)

    def changed_orders_page(self, *, updated_since: str | None, limit: int = DEFAULT_PAGE_SIZE) -> OrderPage:
        """One page of the change feed: every order whose data or status changed after
        ``updated_since`` (a ``next_cursor`` of this feed; None: from the first change), canceled and
        refunded ones included, oldest change first. Each order carries ``status`` and, when BackerKit
        sets it, ``updated_at``; validate each with ``validate_order``. Same errors as every call."""
        params: dict[str, str | int] = {
            "updated_since": updated_since or "",
            "limit": max(1, min(limit, MAX_PAGE_SIZE)),
        }
        return self._orders_page(params, what="change feed")

    def iter_changed_orders(
        self, updated_since: str | None = None, *, limit: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[OrderPage]:
        """Every page of the change feed after ``updated_since``, following the cursor until
        ``has_more`` is false (errors surface between pages, as for ``iter_locked_orders``)."""
        cursor = updated_since
        while True:
            page = self.changed_orders_page(updated_since=cursor, limit=limit)
            yield page
            if not page.has_more:
                return
            if not page.next_cursor or page.next_cursor == cursor:
                raise self._contract_error("change feed", "has_more is true but the cursor did not move")
            cursor = page.next_cursor

    def _orders_page(self, params: dict[str, str | int], *, what: str = "orders") -> OrderPage:
        body = self._get(self._project_path() + "/orders", params=params)
        orders, next_cursor, has_more = body.get("orders"), body.get("next_cursor"), body.get("has_more")
        if not isinstance(orders, list) or not isinstance(has_more, bool):
            raise self._contract_error(what, "expected orders (array) and has_more (boolean)")
        if next_cursor is not None and not isinstance(next_cursor, str):
            raise self._contract_error(what, "next_cursor must be a string or null")
        logger.info(
            "backerkit.orders_page",
            extra={"project": self.project_id, "orders": len(orders), "has_more": has_more, "feed": what},
        )
        return OrderPage(orders=orders, next_cursor=next_cursor, has_more=has_more)

    def iter_locked_orders(self, since: str | None = None, *, limit: int = DEFAULT_PAGE_SIZE) -> Iterator[OrderPage]:
        """Every page of locked orders after ``since``, following the cursor until ``has_more`` is
        false. Errors surface between pages, so pages already handled stay handled."""
        cursor = since
        while True:
            page = self.locked_orders_page(since=cursor, limit=limit)
            yield page
            if not page.has_more:
                return
            if not page.next_cursor or page.next_cursor == cursor:
                raise self._contract_error("orders", "has_more is true but the cursor did not move")
            cursor = page.next_cursor

    # --- transport -----------------------------------------------------------------------------

    def _project_path(self) -> str:
        return f"/{API_VERSION}/projects/{quote(self.project_id, safe='')}"

    def _contract_error(self, what: str, detail: str) -> BackerKitError:
        return BackerKitError(f"BackerKit {what}: answer outside the contract ({detail})", project=self.project_id)

    def _get(self, path: str, *, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._interpret(self._request("GET", path, params=params))

    def _request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: dict[str, Any] | None = None
    ) -> httpx.Response:
        """One authorized request to the API; a timeout or an unreachable BackerKit is transient."""
        try:
            return self._http.request(
                method,
                self.api_url + path,
                params=params,
                json=json,
                headers={"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"},
            )
        except httpx.TimeoutException as exc:
            raise BackerKitTransient(f"BackerKit timed out ({type(exc).__name__})", project=self.project_id) from exc
        except httpx.TransportError as exc:
            raise BackerKitTransient(
                f"BackerKit cannot be reached ({type(exc).__name__})", project=self.project_id
            ) from exc

    def _interpret(self, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        project = self.project_id
        if status in (401, 403):
            raise BackerKitUnauthorized(
                f"BackerKit refused the API key ({status}): {_error_text(response)}", project=project, status=status
            )
        if status == 404:
            raise BackerKitNotFound(f"BackerKit has no project {project!r} (404)", project=project, status=status)
        if status == 429:
            raise BackerKitThrottled(
                "BackerKit is throttling requests (429)",
                project=project,
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise BackerKitTransient(f"BackerKit answered {status}", project=project, status=status)
        if 300 <= status < 400:
            raise BackerKitError(
                f"BackerKit redirected ({status}) to {response.headers.get('Location', '?')}; not followed",
                project=project,
                status=status,
            )
        if status >= 400:
            raise BackerKitError(
                f"BackerKit refused the request ({status}): {_error_text(response)}", project=project, status=status
            )
        try:
            body = json.loads(response.content, parse_float=Decimal)
        except ValueError as exc:
            raise BackerKitError("BackerKit answered with something that is not JSON", project=project) from exc
        except RecursionError as exc:
            raise BackerKitError("BackerKit answered with JSON nested too deeply to read", project=project) from exc
        if not isinstance(body, dict):
            raise BackerKitError("BackerKit answered with JSON that is not an object", project=project)
        return body


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"][:200]
    return response.text[:200]


def _retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (seconds or an HTTP date); 1 s when absent or unreadable."""
    if not value:
        return 1.0
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
