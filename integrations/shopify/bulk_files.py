"""The files of Shopify's bulk import: the upload of a JSONL file of variables to a staged upload
target (a multipart POST of the target's signed parameters, then the file part last), and the
results file read line by line (streamed: memory stays flat however many lines it holds).
https://shopify.dev/docs/api/usage/bulk-operations/imports

Errors are the client's (errors.py): a connection failure or 5xx is ``ShopifyTransient`` (an
upload may be repeated: nothing runs until ``bulkOperationRunMutation`` names the file), a 4xx is
``ShopifyInvalid``.
"""

import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
from django.conf import settings

from integrations.shopify.errors import ShopifyInvalid, ShopifyTransient

logger = logging.getLogger(__name__)

# A 100 MB file takes a while on a slow link: the read timeout of files is longer than the API's.
FILE_READ_TIMEOUT_SECONDS = 300.0


def _timeout() -> httpx.Timeout:
    connect, read = settings.SHOPIFY_TIMEOUT
    return httpx.Timeout(max(read, FILE_READ_TIMEOUT_SECONDS), connect=connect)


def staged_path(target: dict[str, Any]) -> str:
    """The ``stagedUploadPath`` of a staged target: its ``key`` parameter."""
    for parameter in target.get("parameters") or []:
        if parameter["name"] == "key":
            return parameter["value"]
    raise ShopifyInvalid("stagedUploadsCreate answered a target without a key parameter")


def upload_jsonl(*, target: dict[str, Any], data: bytes, shop: str, filename: str = "orders.jsonl") -> None:
    fields = [(p["name"], (None, p["value"])) for p in target.get("parameters") or []]
    files = [*fields, ("file", (filename, data, "text/jsonl"))]  # the file part last, as storage requires
    try:
        response = httpx.post(target["url"], files=files, timeout=_timeout(), follow_redirects=False)
    except httpx.TransportError as exc:
        raise ShopifyTransient(f"staged upload: {type(exc).__name__}", shop=shop, ambiguous=False) from exc
    if response.status_code >= 500:
        raise ShopifyTransient(f"staged upload: HTTP {response.status_code}", shop=shop,
                               status=response.status_code, ambiguous=False)  # fmt: skip
    if response.status_code >= 400:
        raise ShopifyInvalid(f"staged upload refused: HTTP {response.status_code}", shop=shop,
                             status=response.status_code)  # fmt: skip
    logger.info("shopify.bulk_uploaded", extra={"shop": shop, "bytes": len(data)})


def result_lines(*, url: str, shop: str) -> Iterator[dict[str, Any]]:
    """Each JSON line of a results (or partial data) file, in the file's order."""
    try:
        with httpx.stream("GET", url, timeout=_timeout(), follow_redirects=False) as response:
            if response.status_code >= 500:
                raise ShopifyTransient(f"bulk results: HTTP {response.status_code}", shop=shop,
                                       status=response.status_code, ambiguous=False)  # fmt: skip
            if response.status_code >= 400:
                raise ShopifyInvalid(f"bulk results: HTTP {response.status_code}", shop=shop,
                                     status=response.status_code)  # fmt: skip
            for line in response.iter_lines():
                if line.strip():
                    yield json.loads(line)
    except httpx.TransportError as exc:
        raise ShopifyTransient(f"bulk results: {type(exc).__name__}", shop=shop, ambiguous=False) from exc
