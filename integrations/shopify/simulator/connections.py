"""Relay connections (``edges``/``nodes``/``pageInfo``) with opaque cursors, as Shopify paginates.
https://shopify.dev/docs/api/usage/pagination-graphql
"""

import base64
from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLError

MAX_PAGE_SIZE = 250


def encode_cursor(kind: str, item_id: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{item_id}".encode()).decode()


def decode_cursor(kind: str, cursor: str) -> int:
    try:
        prefix, _, raw = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix != kind:
            raise ValueError(prefix)
        return int(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise GraphQLError(f"Invalid cursor for {kind}: {cursor}", extensions={"code": "BAD_REQUEST"}) from exc


def paginate(
    items: Sequence[Any],
    *,
    kind: str,
    id_of: Callable[[Any], int],
    node_of: Callable[[Any], dict[str, Any]],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool = False,
    **_ignored: Any,
) -> dict[str, Any]:
    """One page of ``items`` (already filtered, in ascending id order)."""
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    for size in (first, last):
        if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
            raise GraphQLError(
                f"The page size must be between 0 and {MAX_PAGE_SIZE}", extensions={"code": "BAD_REQUEST"}
            )
    ordered = list(reversed(items)) if reverse else list(items)
    start, end = 0, len(ordered)
    if after is not None:
        after_id = decode_cursor(kind, after)
        start = next((i + 1 for i, item in enumerate(ordered) if id_of(item) == after_id), end)
    if before is not None:
        before_id = decode_cursor(kind, before)
        end = next((i for i, item in enumerate(ordered) if id_of(item) == before_id), end)
    window = ordered[start:end]
    if first is not None:
        page = window[:first]
        has_next, has_previous = len(window) > first, start > 0
    else:
        page = window[max(len(window) - last, 0) :]
        has_next, has_previous = end < len(ordered), len(window) > last
    edges = [{"cursor": encode_cursor(kind, id_of(item)), "node": node_of(item)} for item in page]
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }
